import assert from "node:assert/strict";
import { currentHttpDate, formatHttpDate } from "../lib/http/date.ts";

Deno.test("formatHttpDate writes an IMF-fixdate and clamps what none can hold", () => {
  assert.equal(formatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.equal(formatHttpDate(-5), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.equal(formatHttpDate(Number.NaN), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.equal(formatHttpDate(1e300), "Fri, 31 Dec 9999 23:59:59 GMT");
});

Deno.test("currentHttpDate is the current second, and moves on with the clock", async () => {
  const before = Math.floor(Date.now() / 1000) * 1000;
  const first = currentHttpDate();
  const after = Date.now();
  assert.ok(
    first === formatHttpDate(before) || first === formatHttpDate(after),
    first,
  );
  // Past the next second (and the timer's lateness), a new value.
  await new Promise((r) => setTimeout(r, 1000 - after % 1000 + 100));
  const later = currentHttpDate();
  assert.notEqual(later, first);
  assert.equal(later, formatHttpDate(Date.now()));
});
