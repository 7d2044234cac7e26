/**
 * Waiting in tests for what spidey learns from file-system events: a change
 * is served fresh as soon as its event arrives, which on a busy machine can
 * take a moment, so tests poll with a deadline instead of sleeping.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Polls `fn` every 10 ms until it holds; fails after `ms`. */
export async function eventually(
  what: string,
  fn: () => Promise<boolean>,
  ms = 5000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
