import assert from "node:assert/strict";
import { RatePacer } from "../lib/thor/rate_pacer.ts";

Deno.test("the pacer hands out numbers in order, each at its due time", async () => {
  const pacer = new RatePacer(200, 6); // one every 5 ms
  const start = performance.now();
  pacer.start(start);
  const got: Array<[number, number]> = [];
  const take = async () => {
    for (;;) {
      const i = await pacer.next();
      if (i < 0) return;
      got.push([i, performance.now()]);
    }
  };
  await Promise.all([take(), take()]);
  assert.deepEqual(got.map(([i]) => i), [0, 1, 2, 3, 4, 5]);
  for (const [i, at] of got) {
    assert.equal(pacer.dueAt(i), start + i * 5);
    // Never early (timers may be late, which is what correction is for).
    assert.ok(at >= pacer.dueAt(i) - 1, `request ${i} went early`);
  }
  assert.equal(pacer.handedOut, 6);
  assert.equal(await pacer.next(), -1);
});

Deno.test("requests already due are handed out at once, and stop ends the waiters", async () => {
  const pacer = new RatePacer(1000);
  pacer.start(performance.now() - 10); // ten already due
  for (let i = 0; i < 10; i++) assert.equal(await pacer.next(), i);
  const slow = new RatePacer(0.01);
  slow.start(performance.now());
  assert.equal(await slow.next(), 0);
  const waiting = slow.next();
  slow.stop();
  assert.equal(await waiting, -1);
  assert.equal(await slow.next(), -1);
});
