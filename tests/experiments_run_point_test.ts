import assert from "node:assert/strict";
import { buildPlan, FULL_PROFILE } from "../experiments/measure/plan.ts";
import { studyRow } from "../experiments/measure/run_point.ts";
import { parseThorSummary } from "../experiments/measure/thor_summary.ts";

const THOR_JSON = Deno.readTextFileSync(
  new URL("../experiments/testdata/thor_summary.json", import.meta.url),
);

Deno.test("a thor summary becomes one CSV row with errors and non-2xx counted", () => {
  const point = buildPlan(FULL_PROFILE, ["latency"])[0]!;
  const row = studyRow(point, parseThorSummary(THOR_JSON), {
    profile: "full",
    machine: {
      cpuModel: "cpu",
      cores: 2,
      memGib: 4,
      kernel: "k",
      denoVersion: "2.9.6",
    },
    thorVersion: "thor 1",
    serverVersion: "spidey 1",
    serverCpus: "0",
    clientCpus: "1",
    load1: 0.3,
    cpuBusyPct: 4.5,
    timestamp: new Date("2026-01-02T03:04:05Z"),
  });
  assert.equal(row.config, "spidey-single");
  assert.equal(row.errors, 2);
  assert.equal(row.error_detail, "timeout:2");
  assert.equal(row.non_2xx, 1);
  assert.equal(row.lat_p99_ms, 3);
  assert.equal(row.cpu_busy_pct, 4.5);
  assert.equal(row.duration_s, 3);
  assert.equal(row.request_limit, 0);
  assert.equal(row.timestamp, "2026-01-02T03:04:05.000Z");
});
