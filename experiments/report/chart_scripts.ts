/**
 * gnuplot scripts and their data files for the two kinds of chart the
 * study draws: clustered bars with error bars (one cluster per group,
 * one bar per series) and lines with error bars over a numeric x axis.
 * Pure text generation, so the scripts are testable without gnuplot;
 * `charts.ts` writes and runs them.
 *
 * @module
 */

import type { Stat } from "../data/aggregate.ts";

/** Output format of a rendered chart. */
export type ChartFormat = "svg" | "png";

/** One bar series: a value per group, or undefined where unmeasured. */
export interface BarSeries {
  /** Legend text. */
  label: string;
  /** Bar colour. */
  color: string;
  /** Per group, the bar height (mean) and its error bar (min..max). */
  values: (Stat | undefined)[];
}

/** A clustered bar chart. */
export interface BarChart {
  /** File name without extension. */
  name: string;
  /** Title over the chart. */
  title: string;
  /** y axis label. */
  ylabel: string;
  /** Logarithmic y axis. */
  logY: boolean;
  /** Group labels along x. */
  groups: string[];
  /** The series. */
  series: BarSeries[];
  /** A dashed horizontal reference line at this y, if any. */
  reference?: number;
  /** Print each bar's value over it. */
  valueLabels?: boolean;
}

/** One line: (x, value) points. */
export interface LineSeries {
  /** Legend text. */
  label: string;
  /** Line colour. */
  color: string;
  /** Points in x order. */
  points: { x: number; value: Stat }[];
}

/** A line chart over a numeric x axis. */
export interface LineChart {
  /** File name without extension. */
  name: string;
  /** Title over the chart. */
  title: string;
  /** x axis label. */
  xlabel: string;
  /** y axis label. */
  ylabel: string;
  /** Powers of two along x. */
  logX: boolean;
  /** Logarithmic y axis. */
  logY: boolean;
  /** The lines. */
  series: LineSeries[];
  /** Named x tics instead of the data's x values. */
  xtics?: { x: number; label: string }[];
  /** Rings around chosen points, one per series at most (e.g. saturation). */
  marks?: { x: number; y: number; color: string }[];
}

/** A chart ready to write: its data file and its script. */
export interface ChartFiles {
  /** Chart name (file stem). */
  name: string;
  /** Data file text (`NAME.dat`). */
  data: string;
  /** Script text for `format`. */
  script(format: ChartFormat): string;
}

const MISSING = "?";

/** A number for a data file: plain, or `?` for missing or non-positive-on-log. */
function num(value: number | undefined, log: boolean): string {
  if (value === undefined || !Number.isFinite(value) || (log && value <= 0)) {
    return MISSING;
  }
  return String(Number(value.toPrecision(6)));
}

/**
 * A gnuplot expression labelling the value in column `c`: whole numbers
 * from 100 up (`1235`, not `1.24e+03`), two significant digits below,
 * short enough for neighbouring bars' labels not to touch.
 */
function labelFormat(c: number): string {
  return `$${c} >= 100 ? sprintf("%.0f", $${c}) : sprintf("%.2g", $${c})`;
}

/** Escapes text for a double-quoted gnuplot string. */
export function gnuplotString(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function terminal(format: ChartFormat, name: string): string {
  return format === "svg"
    ? `set terminal svg size 900,500 dynamic noenhanced font "sans,12" background rgb "white"\nset output "../${name}.svg"`
    : `set terminal pngcairo size 900,500 noenhanced font "sans,11" background rgb "white"\nset output "../${name}.png"`;
}

const COMMON = `set datafile missing "?"
set border 3
set tics nomirror
set grid ytics lc rgb "#dddddd"`;

/**
 * The y range of a bar chart: from 0 on a linear axis; on a log axis
 * wide enough for every whisker and the reference line, with room for
 * value labels.
 */
function yRangeFor(chart: BarChart): string {
  if (!chart.logY) return "set yrange [0:*]\n";
  const values = chart.series.flatMap((s) =>
    s.values.flatMap((v) => v === undefined ? [] : [v.min, v.max])
  )
    .filter((v) => v > 0);
  if (chart.reference !== undefined) values.push(chart.reference);
  if (values.length === 0) return "";
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
  // Room over the highest whisker for its value label, and no more.
  const high = Number((Math.max(...values) * 2.2).toPrecision(2));
  return `set yrange [${low}:${high}]\n`;
}

/** The data file and script of a clustered bar chart. */
export function barChartFiles(chart: BarChart): ChartFiles {
  const lines = [
    `# group ${chart.series.map((s) => `"${s.label}" mean min max`).join(" ")}`,
  ];
  chart.groups.forEach((group, i) => {
    const cells = chart.series.map((s) => {
      const v = s.values[i];
      return [
        num(v?.mean, chart.logY),
        num(v?.min, chart.logY),
        num(v?.max, chart.logY),
      ].join(" ");
    });
    lines.push(`${gnuplotString(group)} ${cells.join(" ")}`);
  });
  const plots = chart.series.map((s, i) => {
    const c = 2 + i * 3;
    const xtic = i === 0 ? ":xtic(1)" : "";
    const file = i === 0 ? `"${chart.name}.dat"` : "''";
    return `${file} using ${c}:${c + 1}:${c + 2}${xtic} title ${
      gnuplotString(s.label)
    } lc rgb "${s.color}"`;
  });
  const n = chart.series.length;
  const gap = 1.5;
  const labels = chart.valueLabels !== true ? [] : chart.series.map((_, i) => {
    const c = 2 + i * 3;
    const dx = (i - (n - 1) / 2) / (n + gap);
    // Over the whisker's top, so label and whisker never cross.
    return `'' using ($0${dx >= 0 ? "+" : ""}${dx.toFixed(4)}):${c + 2}:(${
      labelFormat(c)
    }) with labels offset 0,0.7 font ",8" notitle`;
  });
  const range = yRangeFor(chart);
  const reference = chart.reference === undefined
    ? ""
    : `set arrow from graph 0, first ${chart.reference} to graph 1, first ${chart.reference} nohead dt 2 lw 1.5 lc rgb "black" front\n`;
  return {
    name: chart.name,
    data: lines.join("\n") + "\n",
    script: (format) =>
      `${terminal(format, chart.name)}
${COMMON}
set title ${gnuplotString(chart.title)}
set ylabel ${gnuplotString(chart.ylabel)}
set style data histograms
set key below vertical maxcols 1 width -4
set style histogram errorbars gap ${gap} lw 1.2
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.9
set xtics scale 0
set offsets 0.2, 0.2, 0, 0
${chart.logY ? "set logscale y\n" : ""}${range}${reference}plot ${
        [...plots, ...labels].join(", \\\n  ")
      }
`,
  };
}

/**
 * The x range of a line chart with a little room on both sides, so the
 * first and last tics are drawn (gnuplot may drop a tic on the border).
 */
function xRange(xs: readonly number[], log: boolean): string {
  const low = xs[0]!;
  const high = xs.at(-1)!;
  if (log) return `set xrange [${low / 1.25}:${high * 1.25}]\n`;
  const pad = (high - low) * 0.05 || 1;
  return `set xrange [${low - pad}:${high + pad}]\n`;
}

/** The data file and script of a line chart. */
export function lineChartFiles(chart: LineChart): ChartFiles {
  const blocks = chart.series.map((s) =>
    [`# ${s.label}: x mean min max`]
      .concat(s.points.map((p) =>
        `${p.x} ${num(p.value.mean, chart.logY)} ${
          num(p.value.min, chart.logY)
        } ${num(p.value.max, chart.logY)}`
      ))
      .join("\n")
  );
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))]
    .sort((a, b) => a - b);
  const xtics = chart.xtics === undefined
    ? xs.length > 0 ? `set xtics (${xs.join(", ")})\n` : ""
    : `set xtics (${
      chart.xtics.map((t) => `${gnuplotString(t.label)} ${t.x}`).join(", ")
    })\n`;
  const marks = (chart.marks ?? []).map((m) =>
    `set label "" at ${m.x},${m.y} point pt 6 ps 2.6 lw 2 lc rgb "${m.color}" front\n`
  ).join("");
  const plots = chart.series.map((s, i) => {
    const file = i === 0 ? `"${chart.name}.dat"` : "''";
    return `${file} index ${i} using 1:2:3:4 with yerrorlines title ${
      gnuplotString(s.label)
    } lc rgb "${s.color}" lw 2 pt 7 ps 0.8`;
  });
  return {
    name: chart.name,
    data: blocks.join("\n\n\n") + "\n",
    script: (format) =>
      `${terminal(format, chart.name)}
${COMMON}
set title ${gnuplotString(chart.title)}
set xlabel ${gnuplotString(chart.xlabel)}
set ylabel ${gnuplotString(chart.ylabel)}
set key below vertical maxcols 2 width -4
${chart.logX ? "set logscale x 2\n" : ""}${xtics}${
        xs.length > 0 ? xRange(xs, chart.logX) : ""
      }${marks}${chart.logY ? "set logscale y\n" : "set yrange [0:*]\n"}plot ${
        plots.join(", \\\n  ")
      }
`,
  };
}
