import assert from "node:assert/strict";
import {
  DeadlineSweeper,
  type Expirable,
  sweepIntervalMs,
} from "../lib/thor/deadline_sweeper.ts";

function item(deadline: number): Expirable & { expired: number } {
  return {
    deadline,
    expired: 0,
    expire() {
      this.expired++;
    },
  };
}

Deno.test("a sweep expires only what is past its deadline, once", () => {
  const late = item(100);
  const onTime = item(300);
  const idle = item(Infinity);
  const sweeper = new DeadlineSweeper([late, onTime, idle], 10);
  sweeper.sweep(200);
  sweeper.sweep(250);
  assert.equal(late.expired, 1);
  assert.equal(late.deadline, Infinity);
  assert.equal(onTime.expired, 0);
  assert.equal(idle.expired, 0);
  sweeper.sweep(300);
  assert.equal(onTime.expired, 1);
});

Deno.test("the running sweeper expires a deadline on its own", async () => {
  const soon = item(performance.now() + 20);
  const sweeper = new DeadlineSweeper([soon], 5);
  sweeper.start();
  const until = performance.now() + 5000;
  while (soon.expired === 0 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
  sweeper.stop();
  assert.equal(soon.expired, 1);
});

Deno.test("the sweep interval is a tenth of the timeout within 5-250 ms", () => {
  assert.equal(sweepIntervalMs(30_000), 250);
  assert.equal(sweepIntervalMs(1000), 100);
  assert.equal(sweepIntervalMs(10), 5);
});
