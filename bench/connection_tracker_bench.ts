/**
 * The connection tracker's sweep with 10,000 idle keep-alive connections
 * open, against the same sweep with only the busy ones: in one group, so
 * the report says what the idle connections add to each sweep (spidey
 * sweeps four times a second).
 *
 * @module
 */

import { ConnectionTracker } from "../lib/server/core/connection_tracker.ts";

const BUSY = 50;
const IDLE = 10_000;

/** A tracker with `idle` idle connections and `BUSY` busy ones; a sweep step. */
function tracked(idle: number): () => void {
  // Timeouts long enough that nothing expires while the bench runs.
  const tracker = new ConnectionTracker(
    { headerMs: 1e12, idleMs: 1e12, sendMs: 1e12 },
    250,
  );
  tracker.stop();
  const expire = () => {};
  for (let i = 0; i < idle; i++) tracker.idle(tracker.add(expire));
  const busy = Array.from({ length: BUSY }, () => tracker.add(expire));
  let now = performance.now();
  tracker.sweep(now);
  return () => {
    for (const c of busy) tracker.busy(c);
    tracker.sweep(now += 250);
  };
}

const withIdle = tracked(IDLE);
const busyOnly = tracked(0);

Deno.bench({
  name: `sweep, ${BUSY} busy connections`,
  group: "sweep",
  baseline: true,
  fn: busyOnly,
});

Deno.bench({
  name: `sweep, ${BUSY} busy and ${IDLE} idle connections`,
  group: "sweep",
  fn: withIdle,
});
