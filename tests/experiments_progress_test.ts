import assert from "node:assert/strict";
import { buildPlan, QUICK_PROFILE } from "../experiments/measure/plan.ts";
import {
  counter,
  formatDuration,
  plannedSeconds,
  StudyProgress,
} from "../experiments/measure/progress.ts";

Deno.test("progress estimates what is left from the pace so far", () => {
  const points = buildPlan(QUICK_PROFILE, ["latency"]);
  const progress = new StudyProgress(points, 0);
  const each = plannedSeconds(points[0]!);
  assert.equal(progress.total, 9);
  assert.ok(Math.abs(progress.etaSeconds(0) - 9 * each) < 1e-9);
  progress.finishOne();
  progress.finishOne();
  progress.finishOne();
  // Three runs took twice their plan, so the six left are expected to as well.
  assert.ok(Math.abs(progress.etaSeconds(6 * each * 1000) - 12 * each) < 1e-6);
  assert.equal(counter(3, 171), "[  3/171]");
  assert.equal(formatDuration(42), "42s");
  assert.equal(formatDuration(125), "2m05s");
  assert.equal(formatDuration(3725), "1h02m");
});
