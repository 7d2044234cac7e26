import assert from "node:assert/strict";
import { mergeRows } from "../experiments/measure/study.ts";

Deno.test("mergeRows keeps the other parts of the same profile and replaces the rerun ones", () => {
  const old = [
    { profile: "full", part: "latency", id: 1 },
    { profile: "full", part: "peers", id: 2 },
    { profile: "quick", part: "peers", id: 3 },
  ];
  const fresh = [{ profile: "full", part: "latency", id: 4 }];
  assert.deepEqual(
    mergeRows(old, fresh, ["latency"], "full").map((r) => r.id),
    [2, 4],
  );
});
