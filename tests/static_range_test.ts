import assert from "node:assert/strict";
import {
  contentRangeOf,
  parseRange,
  type RangeRequest,
  unsatisfiedRangeOf,
} from "../lib/server/static/range.ts";

const partial = (start: number, end: number): RangeRequest => ({
  kind: "partial",
  start,
  end,
});
const WHOLE: RangeRequest = { kind: "whole" };
const UNSATISFIABLE: RangeRequest = { kind: "unsatisfiable" };

Deno.test("parseRange reads the three single-range forms", () => {
  assert.deepEqual(parseRange("bytes=0-4", 10), partial(0, 4));
  assert.deepEqual(parseRange("bytes=-5", 10), partial(5, 9));
  assert.deepEqual(parseRange("bytes=5-", 10), partial(5, 9));
  assert.deepEqual(parseRange("bytes=9-9", 10), partial(9, 9));
  assert.deepEqual(parseRange("bytes=0-0", 1), partial(0, 0));
});

Deno.test("parseRange clamps the end and an oversized suffix", () => {
  assert.deepEqual(parseRange("bytes=5-100", 10), partial(5, 9));
  assert.deepEqual(parseRange("bytes=-100", 10), partial(0, 9));
  assert.deepEqual(
    parseRange("bytes=0-99999999999999999999999999", 10),
    partial(0, 9),
  );
  assert.deepEqual(parseRange(`bytes=-${"9".repeat(400)}`, 10), partial(0, 9));
});

Deno.test("parseRange finds ranges that start past the end unsatisfiable", () => {
  assert.deepEqual(parseRange("bytes=10-", 10), UNSATISFIABLE);
  assert.deepEqual(parseRange("bytes=10-20", 10), UNSATISFIABLE);
  assert.deepEqual(
    parseRange("bytes=99999999999999999999-", 10),
    UNSATISFIABLE,
  );
  assert.deepEqual(parseRange(`bytes=${"9".repeat(400)}-`, 10), UNSATISFIABLE);
  assert.deepEqual(parseRange("bytes=-0", 10), UNSATISFIABLE);
});

Deno.test("parseRange on an empty representation", () => {
  // No first-pos is below a length of zero.
  assert.deepEqual(parseRange("bytes=0-", 0), UNSATISFIABLE);
  assert.deepEqual(parseRange("bytes=0-4", 0), UNSATISFIABLE);
  assert.deepEqual(parseRange("bytes=-0", 0), UNSATISFIABLE);
  // A suffix is satisfiable but selects nothing a 206 could describe.
  assert.deepEqual(parseRange("bytes=-5", 0), WHOLE);
});

Deno.test("parseRange ignores several ranges", () => {
  assert.deepEqual(parseRange("bytes=0-1,3-4", 10), WHOLE);
  assert.deepEqual(parseRange("bytes=0-1, 5-", 10), WHOLE);
  assert.deepEqual(parseRange("bytes=20-30,40-50", 10), WHOLE);
  assert.deepEqual(parseRange("bytes=0-1,junk", 10), WHOLE);
});

Deno.test("parseRange accepts list whitespace, empty elements and any-case unit", () => {
  assert.deepEqual(parseRange("bytes= 0-4 ", 10), partial(0, 4));
  assert.deepEqual(parseRange("bytes=0-4,", 10), partial(0, 4));
  assert.deepEqual(parseRange("bytes=, ,0-4", 10), partial(0, 4));
  assert.deepEqual(parseRange("Bytes=0-4", 10), partial(0, 4));
  assert.deepEqual(parseRange("BYTES=-3", 10), partial(7, 9));
});

Deno.test("parseRange ignores malformed values", () => {
  for (
    const value of [
      "",
      "bytes",
      "bytes=",
      "bytes=,",
      "bytes=-",
      "bytes=abc",
      "bytes=5-2",
      "bytes=--5",
      "bytes=1-2-3",
      "bytes=+1-2",
      "bytes=1-+2",
      "bytes=0x10-",
      "bytes=1.5-2",
      "bytes=1 - 2",
      "bytes 0-4",
      "items=0-4",
      "bytes=٣-٤",
      "=0-4",
    ]
  ) {
    assert.deepEqual(parseRange(value, 10), WHOLE, value);
  }
});

Deno.test("contentRangeOf and unsatisfiedRangeOf format Content-Range", () => {
  assert.equal(contentRangeOf(0, 4, 10), "bytes 0-4/10");
  assert.equal(contentRangeOf(5, 9, 10), "bytes 5-9/10");
  assert.equal(unsatisfiedRangeOf(10), "bytes */10");
  assert.equal(unsatisfiedRangeOf(0), "bytes */0");
});
