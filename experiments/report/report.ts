/**
 * Writes `REPORT.md` from `study.csv`, `timing.csv` and `spawn_cost.csv`:
 * Summary (what was built, what works, the machine, headline figures),
 * Server models (the modes against the forking server), Latency, Throughput,
 * Concurrency, the peer comparison, Analysis, Conclusions and how to
 * reproduce it. Every number is computed from the CSV files; the text
 * around the numbers is a template whose wording follows the data.
 *
 * Usage: deno run -A experiments/report/report.ts --csv FILE --timing FILE
 *          [--spawn FILE] --out REPORT.md [--charts DIR] [--chart-link PATH]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeFileAtomically } from "../data/atomic_write.ts";
import { summarize } from "../data/aggregate.ts";
import { buildCharts } from "./charts.ts";
import { runCli, StudyError } from "../data/errors.ts";
import { analysisSection } from "./report_analysis.ts";
import { conclusionsSection, headlines } from "./report_conclusions.ts";
import { medianSpread, type ReportData, reportData } from "./report_data.ts";
import {
  fmt,
  fmtPercent,
  fmtSeconds,
  listWords,
  median,
  table,
} from "./report_format.ts";
import {
  concurrencySection,
  latencySection,
  peersSection,
  throughputSection,
} from "./report_sections.ts";
import { configLabel } from "./labels.ts";
import { PARTS, readStudyCsv, type StudyRow } from "../data/study_row.ts";
import { readTimingCsv } from "../data/timing.ts";
import { readSpawnCostCsv } from "../data/spawn_cost.ts";
import { modelsSection } from "./report_models.ts";

function distinctValues(
  rows: readonly StudyRow[],
  pick: (r: StudyRow) => string | number,
): string {
  return listWords([...new Set(rows.map((r) => String(pick(r))))]);
}

function failures(data: ReportData): string {
  const failing = data.summaries.filter((s) => s.errors + s.non2xx > 0);
  if (failing.length === 0) {
    return "No request failed and every response had a 2xx status.";
  }
  const list = failing.map((s) => {
    const detail = [
      ...new Set(
        data.rows.filter((r) =>
          r.part === s.part && r.config === s.config &&
          r.workload === s.workload && r.concurrency === s.concurrency &&
          r.error_detail !== ""
        ).flatMap((r) =>
          r.error_detail.split(";").map((d) => d.split(":")[0]!)
        ),
      ),
    ];
    return `${s.part} ${
      configLabel(s)
    } ${s.workload} with ${s.concurrency} connections: ${s.errors} failed${
      detail.length > 0 ? ` (${detail.join(", ")})` : ""
    }${s.non2xx > 0 ? `, ${s.non2xx} non-2xx` : ""}`;
  });
  return `Requests failed or got a non-2xx status in ${failing.length} of ${data.summaries.length} points: ${
    list.join("; ")
  }.`;
}

/** Busy CPU share (%) before a run above which the report warns. */
const BUSY_PCT = 20;

function summarySection(data: ReportData): string {
  const rows = data.rows;
  const perPart = PARTS.map((p) =>
    [p, rows.filter((r) => r.part === p).length] as const
  ).filter(([, n]) => n > 0);
  const configs = [...new Set(rows.map((r) => r.config))].map((c) => {
    const r = rows.find((row) => row.config === c)!;
    return configLabel({
      server: r.server,
      mode: r.mode,
      serverArgs: r.server_args,
    });
  });
  const completed = rows.reduce((a, r) => a + r.completed, 0);
  const failed = rows.reduce((a, r) => a + r.errors, 0);
  const loads = rows.map((r) => r.load1);
  const busy = rows.map((r) => r.cpu_busy_pct);
  const spread = medianSpread(data.summaries);
  const busyMedian = median(busy);
  let text = `## Summary

**What was built.** \`experiments/run_study.sh\` makes the test files in a temporary folder, starts each server configuration on a free port of 127.0.0.1 (pinned to CPUs with taskset), drives it with thor \`--json\`, repeats every point and records each run as one row of [\`${data.chartDir}/study.csv\`](${data.chartDir}/study.csv), with the versions of thor and the server and the facts of the machine. \`experiments/report/charts.ts\` draws the charts with gnuplot from that file and \`experiments/report/report.ts\` writes this report from it. \`--quick\` runs the same pipeline with tiny files and short runs into a temporary folder (\`tests/experiments_run_study_test.ts\` does, so the pipeline cannot rot); \`--only PART\` reruns one part.

**What works.** This run made ${rows.length} thor runs (${
    listWords(perPart.map(([p, n]) => `${p} ${n}`))
  }) against ${configs.length} configurations: ${
    listWords(configs)
  }. thor received ${completed.toLocaleString("en-US")} responses; ${
    failed.toLocaleString("en-US")
  } requests failed. ${failures(data)}

**Machine.**

${
    table(["fact", "value"], [
      ["CPU", distinctValues(rows, (r) => r.cpu_model)],
      ["CPUs", distinctValues(rows, (r) => r.cores)],
      ["memory", `${distinctValues(rows, (r) => r.mem_gib)} GiB`],
      ["kernel", distinctValues(rows, (r) => r.kernel)],
      ["Deno", distinctValues(rows, (r) => r.deno_version)],
      ["thor", distinctValues(rows, (r) => r.thor_version)],
      ["servers", distinctValues(rows, (r) => r.server_version)],
      [
        "CPU time busy just before a run, while the study was idle",
        `median ${fmt(busyMedian)}%, ${fmt(Math.min(...busy))}–${
          fmt(Math.max(...busy))
        }%`,
      ],
      [
        "one-minute load average before a run (the study's own load included)",
        `median ${fmt(median(loads))}, ${fmt(Math.min(...loads))}–${
          fmt(Math.max(...loads))
        }`,
      ],
    ])
  }

`;
  const busyRuns = busy.filter((b) => b > BUSY_PCT).length;
  if (busyMedian > BUSY_PCT) {
    text += `The machine was not idle: other processes kept a median ${
      fmt(busyMedian)
    }% of its CPU time busy just before a run, so absolute figures are lower and noisier than on an idle machine; comparisons between configurations measured back to back hold up better than the absolute numbers. `;
  } else if (busyRuns > 0) {
    text +=
      `Other processes kept more than ${BUSY_PCT}% of the CPU time busy before ${busyRuns} of ${rows.length} runs; the figures of those runs are noisier. `;
  }
  if (spread > 0) {
    text += `Repetitions of a point differed by ${
      fmtPercent(spread)
    } in req/s (median relative standard deviation over all points).`;
  }
  const lines = headlines(data);
  if (lines.length > 0) {
    text += `\n\n**Headlines.**\n\n${lines.map((l) => `- ${l}`).join("\n")}`;
  }
  return text + "\n";
}

function reproduceSection(data: ReportData): string {
  const timings = data.timings;
  const total = timings.reduce((a, t) => a + t.seconds, 0);
  let text = "## Reproducing\n\n";
  if (timings.length > 0) {
    text += `The measurements took ${
      fmtSeconds(total)
    } in all, as timed by the study itself (server start-ups, warm-ups and thor's own start-up included; drawing the charts and writing this report come on top):\n\n`;
    text += table(
      ["part", "runs", "time", "started (UTC)"],
      timings.map((
        t,
      ) => [
        t.part,
        String(t.runs),
        fmtSeconds(t.seconds),
        t.started_at.replace("T", " ").slice(0, 19),
      ]),
    );
    text += "\n\n";
  }
  const parts = listWords(PARTS.map((p) => `\`${p}\``), "or");
  text +=
    `- \`deno task experiment\` runs the whole study and replaces \`experiments/results/\` and this report, only once everything has been measured and drawn.
- \`deno task experiment --quick\` runs the same pipeline small and fast into a temporary folder (or \`--out DIR\`); it never touches the committed results.
- \`experiments/run_study.sh --only latency\` reruns one part (${parts}, or several separated by commas), replaces that part's rows in \`study.csv\` and redraws the charts and this report.
- Each chart's data and gnuplot script are in \`${data.chartDir}/gnuplot/\`: \`cd experiments/${data.chartDir}/gnuplot && gnuplot throughput.gp\` redraws one.
`;
  return text;
}

/** The whole report as Markdown. */
export function buildReport(data: ReportData): string {
  if (data.rows.length === 0) {
    throw new StudyError("NO_DATA", "The study CSV has no runs to report on");
  }
  const stamps = data.rows.map((r) => r.timestamp).sort();
  const profiles = distinctValues(data.rows, (r) => r.profile);
  return [
    `# spidey: latency and throughput study\n\n_Generated by \`experiments/report/report.ts\` from \`${data.chartDir}/study.csv\` (${data.rows.length} runs, profile ${profiles}, ${
      stamps[0]!.slice(0, 16).replace("T", " ")
    } to ${
      stamps.at(-1)!.slice(0, 16).replace("T", " ")
    } UTC). Do not edit by hand: rerun the study._\n`,
    summarySection(data),
    modelsSection(data),
    latencySection(data),
    throughputSection(data),
    concurrencySection(data),
    peersSection(data),
    analysisSection(data),
    conclusionsSection(data),
    reproduceSection(data),
  ].join("\n");
}

/** Names of the charts the data allows that exist in `dir`. */
export function chartsIn(rows: readonly StudyRow[], dir: string): Set<string> {
  const names = buildCharts(summarize(rows)).map((c) => c.name);
  return new Set(names.filter((name) => {
    try {
      return Deno.statSync(`${dir}/${name}.svg`).isFile;
    } catch {
      return false;
    }
  }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      csv: { type: "string" },
      timing: { type: "string" },
      spawn: { type: "string" },
      out: { type: "string" },
      charts: { type: "string" },
      "chart-link": { type: "string", default: "results" },
    },
  });
  if (values.csv === undefined || values.out === undefined) {
    throw new StudyError("USAGE", "Missing --csv FILE or --out FILE");
  }
  const rows = readStudyCsv(values.csv);
  const timings = values.timing === undefined
    ? []
    : readTimingCsv(values.timing);
  const charts = values.charts === undefined
    ? new Set<string>()
    : chartsIn(rows, values.charts);
  writeFileAtomically(
    values.out,
    buildReport(
      reportData(
        rows,
        timings,
        charts,
        values["chart-link"],
        values.spawn === undefined ? [] : readSpawnCostCsv(values.spawn),
      ),
    ),
  );
  console.error(`Wrote ${values.out}`);
  await Promise.resolve();
}

if (import.meta.main) await runCli("report", main);
