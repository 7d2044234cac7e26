import assert from "node:assert/strict";
import { RatePacer, scheduledCount, shareOf } from "../lib/thor/rate_pacer.ts";
import { timerLatenessP50 } from "./helpers/timer_lateness.ts";

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

Deno.test("rate × duration is scheduled exactly and split exactly", () => {
  assert.equal(scheduledCount(2000, 30_000), 60_000);
  assert.equal(scheduledCount(3, 500), 2); // due at 0 and 333 ms
  assert.equal(scheduledCount(100, 0.1), 1); // -d 0.0001 still sends one
  for (const [total, processes] of [[60_000, 7], [5, 3], [1, 2]] as const) {
    const shares = Array.from(
      { length: processes },
      (_, i) => shareOf(total, processes, i),
    );
    assert.equal(shares.reduce((a, b) => a + b, 0), total);
    assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
  }
});

/** Schedule lag p50 of 400 requests at 2000/s handed to idle takers. */
async function lagP50(): Promise<number> {
  const pacer = new RatePacer(2000, 400);
  pacer.start(performance.now());
  const lags: number[] = [];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (;;) {
      const i = await pacer.next();
      if (i < 0) return;
      lags.push(performance.now() - pacer.dueAt(i));
    }
  }));
  assert.equal(lags.length, 400);
  assert.ok(lags.every((lag) => lag >= 0), "a request went early");
  lags.sort((a, b) => a - b);
  return lags[200]!;
}

Deno.test("the pacer wakes early and hands out on time, not a timer late", async () => {
  // A pacer on setTimeout alone lags as much as timers run late (about
  // 1 ms at p50), every time; on a machine busy with other processes both
  // grow, hence the bound relative to timers and up to five tries.
  const tries: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const p50 = await lagP50();
    const timerLate = await timerLatenessP50();
    if (p50 < Math.max(0.3, timerLate / 2)) return;
    tries.push(`lag ${p50.toFixed(3)} ms, timers ${timerLate.toFixed(3)} ms`);
  }
  assert.fail(`schedule lag p50 too high: ${tries.join("; ")}`);
});
