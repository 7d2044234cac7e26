/**
 * The whole study pipeline in its quick form, for real: test files,
 * spidey in its three modes, nginx and lighttpd, thor, the CSV, gnuplot
 * charts and the report, so the pipeline cannot rot. Skipped only where
 * gnuplot is missing and cannot be installed (not root).
 */
import assert from "node:assert/strict";
import { summarize } from "../experiments/data/aggregate.ts";
import { buildCharts } from "../experiments/report/charts.ts";
import { PARTS, readStudyCsv } from "../experiments/data/study_row.ts";
import { readTimingCsv } from "../experiments/data/timing.ts";
import { REPO_DIR } from "./helpers/spidey_process.ts";

const SCRIPT = `${REPO_DIR}/experiments/run_study.sh`;
const COMMITTED_CSV = `${REPO_DIR}/experiments/results/study.csv`;

function gnuplotReachable(): boolean {
  try {
    if (
      new Deno.Command("gnuplot", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success
    ) {
      return true;
    }
  } catch {
    // Not installed; the script installs it when it runs as root.
  }
  const root = Deno.uid() === 0;
  if (!root) {
    console.warn(
      "experiments_run_study_test: skipped, gnuplot is missing and cannot be installed without root",
    );
  }
  return root;
}

interface ScriptResult {
  code: number;
  stderr: string;
}

async function runStudy(args: string[], timeoutS = 300): Promise<ScriptResult> {
  const out = await new Deno.Command("bash", {
    args: [SCRIPT, ...args],
    cwd: REPO_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutS * 1000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stderr: decoder.decode(out.stderr) + decoder.decode(out.stdout),
  };
}

function fingerprint(path: string): string {
  try {
    const info = Deno.statSync(path);
    return `${info.size}:${info.mtime?.getTime()}`;
  } catch {
    return "absent";
  }
}

Deno.test({
  name:
    "run_study.sh --quick measures, charts and reports into its own folder, and --only reruns one part",
  ignore: !gnuplotReachable(),
  async fn() {
    const out = Deno.makeTempDirSync({ prefix: "experiments-quick-" });
    const committed = fingerprint(COMMITTED_CSV);
    try {
      const first = await runStudy(["--quick", "--out", out]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /ETA/);
      const counters = [...first.stderr.matchAll(/\[\s*(\d+)\/(\d+)\]/g)];
      assert.ok(counters.length > 0);
      const last = counters.at(-1)!;
      assert.equal(last[1], last[2], "the last progress line is the last run");

      const rows = readStudyCsv(`${out}/results/study.csv`);
      assert.equal(rows.length, Number(last[2]));
      assert.deepEqual(new Set(rows.map((r) => r.part)), new Set(PARTS));
      assert.deepEqual(new Set(rows.map((r) => r.profile)), new Set(["quick"]));
      for (const row of rows) {
        assert.ok(
          row.ok > 0,
          `${row.part} ${row.config} ${row.workload} c=${row.concurrency} got no 2xx`,
        );
        assert.ok(row.thor_version.startsWith("thor "));
        assert.notEqual(row.cpu_model, "");
      }
      assert.deepEqual(
        new Set(rows.map((r) => r.config)),
        new Set([
          "spidey-single",
          "spidey-concurrent",
          "spidey-multi",
          "nginx",
          "nginx-2w",
          "lighttpd",
        ]),
      );

      for (const chart of buildCharts(summarize(rows))) {
        const svg = Deno.readTextFileSync(`${out}/results/${chart.name}.svg`);
        assert.match(svg, /<svg[\s\S]*<\/svg>\s*$/, chart.name);
        assert.ok(
          Deno.statSync(`${out}/results/gnuplot/${chart.name}.gp`).isFile,
        );
      }
      const report = Deno.readTextFileSync(`${out}/REPORT.md`);
      assert.match(
        report,
        new RegExp(`This run made ${rows.length} thor runs`),
      );
      for (
        const title of [
          "Summary",
          "Latency",
          "Throughput",
          "Concurrency",
          "Analysis",
          "Conclusions",
        ]
      ) {
        assert.match(report, new RegExp(`^## ${title}$`, "m"));
      }
      assert.doesNotMatch(report, /NaN|undefined|Not measured/);
      const timings = readTimingCsv(`${out}/results/timing.csv`);
      assert.deepEqual(timings.map((t) => t.part), ["files", ...PARTS]);
      assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), [
        "REPORT.md",
        "report.pdf",
        "results",
      ]);

      // Rerun one part: its rows are new, every other part's rows are kept.
      const second = await runStudy([
        "--quick",
        "--only",
        "latency",
        "--out",
        out,
      ]);
      assert.equal(second.code, 0, second.stderr);
      const after = readStudyCsv(`${out}/results/study.csv`);
      const stamps = (part: string, list: typeof rows) =>
        list.filter((r) => r.part === part).map((r) => r.timestamp).join();
      assert.equal(stamps("peers", after), stamps("peers", rows));
      assert.equal(stamps("throughput", after), stamps("throughput", rows));
      assert.notEqual(stamps("latency", after), stamps("latency", rows));
      assert.equal(after.length, rows.length);
    } finally {
      Deno.removeSync(out, { recursive: true });
    }
    assert.equal(
      fingerprint(COMMITTED_CSV),
      committed,
      "the committed results were left alone",
    );
  },
});

Deno.test("run_study.sh rejects bad options with one line and status 2", async () => {
  const unknown = await runStudy(["--fast"], 60);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /^run_study: error: unknown option --fast\. Try/,
  );
  assert.equal(unknown.stderr.trim().split("\n").length, 1);
  const part = await runStudy(["--only", "latency,speed"], 60);
  assert.equal(part.code, 2);
  assert.match(part.stderr, /unknown part "speed"/);
  const clobber = await runStudy([
    "--quick",
    "--out",
    `${REPO_DIR}/experiments`,
  ], 60);
  assert.equal(clobber.code, 2);
  assert.match(
    clobber.stderr,
    /--quick must not overwrite the committed full study/,
  );
  const help = await runStudy(["-h"], 60);
  assert.equal(help.code, 0);
  assert.match(help.stderr, /Usage: experiments\/run_study\.sh/);
});
