/**
 * A small line-chart drawer for thor's HTML report: inline SVG text with
 * axes, ticks, a legend and one path per series. No script, no fonts or
 * anything else from the network.
 *
 * @module
 */

import { escapeHtml } from "../../common/html.ts";

/** One tick on an axis: where (in data units) and what it says. */
export interface Tick {
  /** Position in the axis's data units. */
  value: number;
  /** Text shown next to the tick. */
  label: string;
}

/** One axis: its data range, ticks and title. */
export interface Axis {
  /** Data value at the axis's start. */
  min: number;
  /** Data value at the axis's end (greater than `min`). */
  max: number;
  /** Ticks to draw, inside `[min, max]`. */
  ticks: Tick[];
  /** What the axis measures, with its unit. */
  title: string;
}

/** One line of a chart. */
export interface Series {
  /** Legend text. */
  name: string;
  /** CSS colour of the line. */
  color: string;
  /** Points in data units; a null `y` breaks the line there. */
  points: ReadonlyArray<readonly [x: number, y: number | null]>;
}

/** Everything {@link lineChart} draws. */
export interface LineChart {
  /** Accessible name of the chart. */
  title: string;
  /** Horizontal axis. */
  x: Axis;
  /** Vertical axis. */
  y: Axis;
  /** Lines, drawn in order. */
  series: Series[];
  /** Width in CSS pixels (default 760). */
  width?: number;
  /** Height in CSS pixels (default 300). */
  height?: number;
}

const MARGIN = { left: 64, right: 20, top: 30, bottom: 46 };
/** Rough width of one 12px character, to keep labels inside the frame. */
const CHAR_WIDTH = 7;

/**
 * Ticks at round values (1, 2 or 5 times a power of ten) from 0 to at
 * least `max`, about `count` of them; the last tick is the axis end.
 */
export function niceTicks(max: number, count = 5): Tick[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: Tick[] = [];
  const n = Math.ceil(top / step - 1e-9);
  for (let i = 0; i <= n; i++) {
    const value = Number((i * step).toPrecision(12));
    ticks.push({ value, label: String(value) });
  }
  return ticks;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** The SVG element (as text) of `chart`. */
export function lineChart(chart: LineChart): string {
  const width = chart.width ?? 760;
  const height = chart.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const { x, y } = chart;
  const sx = (v: number) =>
    MARGIN.left + (v - x.min) / (x.max - x.min || 1) * plotW;
  const sy = (v: number) =>
    MARGIN.top + plotH - (v - y.min) / (y.max - y.min || 1) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" ` +
      `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<title>${escapeHtml(chart.title)}</title>`,
    `<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}"/>`,
  );
  for (const tick of y.ticks) {
    const py = fmt(sy(tick.value));
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${
        MARGIN.left + plotW
      }" y1="${py}" y2="${py}"/>`,
      `<text class="tick" x="${
        MARGIN.left - 6
      }" y="${py}" text-anchor="end" dominant-baseline="middle">${
        escapeHtml(tick.label)
      }</text>`,
    );
  }
  for (const tick of x.ticks) {
    const px = sx(tick.value);
    // Labels at the frame's edges are anchored inwards so they stay inside.
    const half = tick.label.length * CHAR_WIDTH / 2;
    const anchor = px - half < 0
      ? "start"
      : px + half > width
      ? "end"
      : "middle";
    parts.push(
      `<line class="grid" x1="${fmt(px)}" x2="${
        fmt(px)
      }" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`,
      `<text class="tick" x="${fmt(px)}" y="${
        MARGIN.top + plotH + 16
      }" text-anchor="${anchor}">${escapeHtml(tick.label)}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title" x="${MARGIN.left + plotW / 2}" y="${
      height - 8
    }" text-anchor="middle">${escapeHtml(x.title)}</text>`,
    `<text class="axis-title" x="${MARGIN.left}" y="${
      MARGIN.top - 10
    }" text-anchor="start">${escapeHtml(y.title)}</text>`,
  );
  let legendRight = width - MARGIN.right;
  for (const s of [...chart.series].reverse()) {
    const textW = s.name.length * (CHAR_WIDTH + 1);
    parts.push(
      `<text class="legend" x="${legendRight}" y="${
        MARGIN.top - 10
      }" text-anchor="end">${escapeHtml(s.name)}</text>`,
      `<rect x="${legendRight - textW - 16}" y="${
        MARGIN.top - 18
      }" width="12" height="4" fill="${escapeHtml(s.color)}"/>`,
    );
    legendRight -= textW + 28;
  }
  for (const s of chart.series) {
    let d = "";
    let run = 0;
    // A lone point (a one-second run, a gap on both sides) still shows,
    // as a dot made by a tiny segment with round caps.
    const endRun = () => {
      if (run === 1) d += "l0.1 0";
      run = 0;
    };
    for (const [px, py] of s.points) {
      if (py === null) {
        endRun();
        continue;
      }
      d += `${run > 0 ? "L" : "M"}${fmt(sx(px))} ${fmt(sy(py))}`;
      run++;
    }
    endRun();
    parts.push(
      `<path class="series" data-series="${escapeHtml(s.name)}" d="${d}" ` +
        `fill="none" stroke="${
          escapeHtml(s.color)
        }" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
