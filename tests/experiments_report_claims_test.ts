import assert from "node:assert/strict";
import { buildReport } from "../experiments/report/report.ts";
import { reportData } from "../experiments/report/report_data.ts";
import {
  compareRuns,
  rangesOverlap,
} from "../experiments/report/report_format.ts";
import { stat } from "../experiments/data/aggregate.ts";
import { parseStudyCsv, type StudyRow } from "../experiments/data/study_row.ts";
import { parseSpawnCostCsv } from "../experiments/data/spawn_cost.ts";

const FIXTURE = parseStudyCsv(
  Deno.readTextFileSync(
    new URL("../experiments/testdata/study_fixture.csv", import.meta.url),
  ),
);
const COMMITTED = parseStudyCsv(
  Deno.readTextFileSync(
    new URL("../experiments/results/study.csv", import.meta.url),
  ),
);
const SPAWN = parseSpawnCostCsv(
  "program,runs,median_ms,min_ms,max_ms,rss_mib,cpus,timestamp\r\n" +
    "true,20,5,4,9,0,any,2026-01-01T00:00:00Z\r\n" +
    "deno,3,120,100,150,27,any,2026-01-01T00:00:00Z\r\n",
);

function report(rows: StudyRow[]): string {
  return buildReport(reportData(rows, [], new Set(), "results", SPAWN));
}

/** Sentences of each `## ` section, tables, headings and images left out. */
function sentencesBySection(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const chunk of text.split(/^## /m).slice(1)) {
    const title = chunk.slice(0, chunk.indexOf("\n"));
    const prose = chunk.split("\n").slice(1).filter((l) =>
      !l.startsWith("|") && !l.startsWith("#") && !l.startsWith("![")
    ).join(" ");
    const sentences = prose.split(/(?<=[.!?])\s+(?=[A-Z*-])/)
      .map((s) => s.replace(/^[-*\s]+/, "").trim())
      .filter((s) => s.length > 20);
    out.set(title, sentences);
  }
  return out;
}

function sharedSentences(text: string): string[] {
  const seen = new Map<string, string>();
  const shared: string[] = [];
  for (const [title, sentences] of sentencesBySection(text)) {
    for (const s of new Set(sentences)) {
      const other = seen.get(s);
      if (other !== undefined && other !== title) {
        shared.push(`${other} / ${title}: ${s}`);
      }
      seen.set(s, title);
    }
  }
  return shared;
}

Deno.test("the sentence splitter finds a sentence two sections share", () => {
  const text =
    "## A\n\nThe first section says this exact thing here. Other words.\n\n## B\n\nThe first section says this exact thing here.\n";
  assert.equal(sharedSentences(text).length, 1);
});

Deno.test("no two sections of the report share a sentence", () => {
  for (const rows of [FIXTURE, COMMITTED]) {
    assert.deepEqual(sharedSentences(report(rows)), []);
  }
});

Deno.test("overlapping runs are called no measurable difference", () => {
  const a = stat([10, 12, 14]);
  const b = stat([13, 15, 17]);
  assert.ok(rangesOverlap(a, b));
  assert.equal(compareRuns(a, b, false), "no measurable difference");
  assert.equal(compareRuns(stat([1, 2]), stat([3, 4]), true), "2.3× faster");
});

/** The fixture with every throughput run of `config` scaled by `factor`. */
function scaledThroughput(config: string, factor: number): StudyRow[] {
  return FIXTURE.map((r) =>
    r.part === "throughput" && r.config === config
      ? { ...r, mbps: r.mbps * factor, rps: r.rps * factor }
      : r
  );
}

Deno.test("file sizes claim a difference only where the runs' ranges are apart", () => {
  // Make the three modes' throughput runs overlap: copy one mode's runs.
  const base = FIXTURE.filter((r) =>
    r.part === "throughput" && r.config === "spidey-concurrent"
  );
  const same = FIXTURE.map((r) => {
    if (r.part !== "throughput") return r;
    const twin = base.find((b) =>
      b.workload === r.workload && b.repetition === r.repetition
    )!;
    return { ...r, mbps: twin.mbps, rps: twin.rps };
  });
  const text = report(same);
  const sizes = text.slice(text.indexOf("### File sizes"));
  assert.match(sizes, /the modes show no measurable difference/);
  assert.doesNotMatch(sizes.slice(0, sizes.indexOf("\n### ", 5)), /× as much/);
  // Far apart: a claim with a ratio.
  const apart = report(scaledThroughput("spidey-multi", 10));
  const section = apart.slice(apart.indexOf("### File sizes"));
  assert.match(section, /spidey multi-process \(-w 2\) moves \d+× as much/);
});

Deno.test("the report explains the modes against the forking server, with the spawn cost", () => {
  const text = report(FIXTURE);
  assert.match(text, /## Server models/);
  assert.match(text, /fork/);
  assert.match(text, /median 5 ms/);
  const without = buildReport(reportData(FIXTURE, [], new Set(), "results"));
  assert.match(without, /cost of starting a process was not measured/);
});
