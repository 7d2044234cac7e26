import assert from "node:assert/strict";
import { parseStrictHttpDate } from "../lib/http/strict_date.ts";

const EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = Date.UTC(2025, 5, 1);

Deno.test("parseStrictHttpDate reads the three forms of RFC 9110", () => {
  assert.equal(parseStrictHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), EXAMPLE);
  assert.equal(
    parseStrictHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", NOW),
    EXAMPLE,
  );
  assert.equal(parseStrictHttpDate("Sun Nov  6 08:49:37 1994"), EXAMPLE);
  assert.equal(
    parseStrictHttpDate("Sun Nov 16 08:49:37 1994"),
    EXAMPLE + 10 * 86_400_000,
  );
  assert.equal(parseStrictHttpDate(" Sun, 06 Nov 1994 08:49:37 GMT "), EXAMPLE);
});

Deno.test("parseStrictHttpDate round-trips what toUTCString writes", () => {
  for (
    const ms of [0, 951_782_400_000, 1_700_000_000_000, 253_402_300_799_000]
  ) {
    assert.equal(parseStrictHttpDate(new Date(ms).toUTCString()), ms);
  }
});

Deno.test("parseStrictHttpDate puts two-digit years within 50 years", () => {
  assert.equal(
    parseStrictHttpDate("Monday, 01-Jan-24 00:00:00 GMT", NOW),
    Date.UTC(2024, 0, 1),
  );
  assert.equal(
    parseStrictHttpDate("Monday, 01-Jan-90 00:00:00 GMT", NOW),
    Date.UTC(1990, 0, 1),
  );
});

Deno.test("parseStrictHttpDate reads a leap second as :59", () => {
  assert.equal(
    parseStrictHttpDate("Sat, 31 Dec 2016 23:59:60 GMT"),
    Date.UTC(2016, 11, 31, 23, 59, 59),
  );
});

Deno.test("parseStrictHttpDate refuses everything else", () => {
  for (
    const value of [
      "",
      "-1",
      "0",
      "2024",
      "2024-01-02T03:04:05Z",
      "garbage",
      "Sun, 06 Nov 1994 08:49:37",
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 08:49:37 gmt",
      "sun, 06 Nov 1994 08:49:37 GMT",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 94 08:49:37 GMT",
      "Sun, 31 Feb 1994 08:49:37 GMT",
      "Sun, 00 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 08:60:00 GMT",
      "Sun, 06 Nov 1994 08:49:61 GMT",
      "Sun, 06 Foo 1994 08:49:37 GMT",
      "Fri, 31 Dec 99999999 23:59:59 GMT",
      "Sat, 01 Jan 275761 00:00:00 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMT\u0000",
      "Sun, ٠٦ Nov 1994 08:49:37 GMT",
      "9".repeat(300),
    ]
  ) {
    assert.equal(parseStrictHttpDate(value), null, JSON.stringify(value));
  }
});
