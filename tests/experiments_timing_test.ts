import assert from "node:assert/strict";
import { StudyError } from "../experiments/data/errors.ts";
import { formatTimingCsv, parseTimingCsv } from "../experiments/data/timing.ts";

function assertStudyError(
  fn: () => unknown,
  code: string,
  message: RegExp,
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StudyError, `expected a StudyError, got ${err}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

Deno.test("timing rows round-trip and a bad number is a schema error", () => {
  const rows = [{
    profile: "full",
    part: "latency",
    runs: 54,
    seconds: 201.25,
    started_at: "2026-01-02T03:04:05.000Z",
  }];
  assert.deepEqual(parseTimingCsv(formatTimingCsv(rows)), rows);
  assertStudyError(
    () =>
      parseTimingCsv(
        "profile,part,runs,seconds,started_at\nfull,latency,x,1,now\n",
      ),
    "CSV_SCHEMA",
    /bad number/,
  );
});
