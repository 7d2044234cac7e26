import assert from "node:assert/strict";
import { summarize } from "../experiments/data/aggregate.ts";
import { buildCharts, renderCharts } from "../experiments/report/charts.ts";
import { parseStudyCsv } from "../experiments/data/study_row.ts";

const ROWS = parseStudyCsv(
  Deno.readTextFileSync(
    new URL("../experiments/testdata/study_fixture.csv", import.meta.url),
  ),
);

function hasGnuplot(): boolean {
  try {
    return new Deno.Command("gnuplot", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("the fixture gives every chart of the study", () => {
  const names = buildCharts(summarize(ROWS)).map((c) => c.name);
  assert.deepEqual(names, [
    "latency_c1",
    "latency_c8",
    "percentiles_listing",
    "percentiles_small",
    "percentiles_cgi",
    "throughput",
    "concurrency_rps",
    "concurrency_p50",
    "concurrency_p99",
    "peers",
  ]);
});

Deno.test({
  name: "renderCharts draws every chart of the fixture as SVG with gnuplot",
  ignore: !hasGnuplot(),
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "experiments-charts-" });
    try {
      const written = await renderCharts(summarize(ROWS), dir, ["svg"]);
      assert.equal(written.length, 10);
      for (const file of written) {
        const svg = Deno.readTextFileSync(file);
        assert.match(svg, /<svg[\s\S]*<\/svg>/, file);
      }
      const throughput = Deno.readTextFileSync(`${dir}/throughput.svg`);
      assert.match(throughput, /static 1 GiB/);
      assert.ok(Deno.statSync(`${dir}/gnuplot/peers.gp`).isFile);
      assert.ok(Deno.statSync(`${dir}/gnuplot/peers.dat`).isFile);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
