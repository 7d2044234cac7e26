import assert from "node:assert/strict";
import { assertStudyError } from "./helpers/study_errors.ts";
import { formatTimingCsv, parseTimingCsv } from "../experiments/data/timing.ts";

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
