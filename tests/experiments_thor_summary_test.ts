import assert from "node:assert/strict";
import { parseThorSummary } from "../experiments/measure/thor_summary.ts";

const THOR_JSON = Deno.readTextFileSync(
  new URL("../experiments/testdata/thor_summary.json", import.meta.url),
);

Deno.test("parseThorSummary names what is missing from thor's output", () => {
  assert.throws(
    () => parseThorSummary("thor: connection refused"),
    /printed no JSON summary/,
  );
  const broken = JSON.parse(THOR_JSON);
  delete broken.latency_ms.p99;
  assert.throws(
    () => parseThorSummary(JSON.stringify(broken)),
    /no number latency_ms\.p99/,
  );
});
