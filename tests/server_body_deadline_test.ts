import assert from "node:assert/strict";
import {
  BodyDeadline,
  MIN_BODY_RATE,
} from "../lib/server/core/body_deadline.ts";

Deno.test("BodyDeadline: one wait may last the timeout, not longer", () => {
  const d = new BodyDeadline(1000);
  assert.equal(d.waiting, false);
  assert.equal(d.msLeft(0), 1000);
  d.startWait(0);
  assert.equal(d.waiting, true);
  assert.equal(d.msLeft(400), 600);
  assert.equal(d.msLeft(1000), 0);
  // Bytes that arrive start the next wait afresh.
  d.endWait(400, 100_000);
  assert.equal(d.waiting, false);
  d.startWait(500);
  assert.equal(d.msLeft(1400), 100);
});

Deno.test("BodyDeadline: past the grace period the body must average the minimum rate", () => {
  assert.equal(MIN_BODY_RATE, 500);
  const d = new BodyDeadline(1000);
  // A byte every 100 ms: each wait is short, but 10 bytes buy only 20 ms.
  let now = 0;
  let bytes = 0;
  for (; now < 5000; now += 100) {
    d.startWait(now);
    if (d.msLeft(now + 100) <= 0) break;
    bytes++;
    d.endWait(now + 100, bytes);
  }
  assert.ok(now >= 900 && now <= 1100, `refused after ${now} ms`);
  // 500 bytes/s keeps a body going however long it takes.
  const ok = new BodyDeadline(1000);
  for (let t = 0; t < 60_000; t += 100) {
    ok.startWait(t);
    assert.ok(ok.msLeft(t + 100) > 0, `at ${t} ms`);
    ok.endWait(t + 100, (t + 100) / 2);
  }
});

Deno.test("BodyDeadline: time spent not waiting for the client is free", () => {
  const d = new BodyDeadline(1000);
  d.startWait(0);
  d.endWait(900, 1);
  // The handler took a minute with that byte: no wait, no cost.
  d.startWait(60_900);
  assert.ok(d.msLeft(60_900) > 100);
  assert.ok(Math.abs(d.msLeft(60_900) - 102) < 1e-9);
});
