import assert from "node:assert/strict";
import {
  formatProgress,
  ProgressLine,
  type ProgressSnapshot,
} from "../lib/thor/progress.ts";

const CLEAR = "\r\x1b[2K";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `ready()` holds; generous because the machine is loaded. */
async function waitFor(ready: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting");
    await sleep(5);
  }
}

/** A snapshot source that counts how often it is read. */
function counter(total?: number) {
  let reads = 0;
  const read = (): ProgressSnapshot => {
    reads++;
    return { done: reads * 100, errors: 1, elapsedMs: reads * 1000, total };
  };
  return { read, reads: () => reads };
}

Deno.test("a disabled progress line writes nothing and reads nothing", async () => {
  const writes: string[] = [];
  const source = counter();
  const line = new ProgressLine({
    enabled: false,
    write: (s) => writes.push(s),
    intervalMs: 5,
  });
  line.start(source.read);
  await sleep(100);
  line.stop();
  line.stop();
  assert.deepEqual(writes, []);
  assert.equal(source.reads(), 0);
});

Deno.test("an enabled progress line redraws in place and clears on stop", async () => {
  const writes: string[] = [];
  const source = counter(1000);
  const line = new ProgressLine({
    enabled: true,
    write: (s) => writes.push(s),
    intervalMs: 5,
  });
  line.start(source.read);
  await waitFor(() => writes.length >= 3);
  line.stop();
  const drawn = writes.slice(0, -1);
  for (const text of drawn) {
    assert.ok(text.startsWith(CLEAR), JSON.stringify(text));
    assert.ok(!text.includes("\n"), "never scrolls");
  }
  assert.match(drawn[0] ?? "", /100\/1000/);
  assert.match(drawn[0] ?? "", /1 errors/);
  // After the first redraw the rate is the one since the previous redraw.
  assert.match(drawn[1] ?? "", /100 req\/s/);
  assert.equal(writes.at(-1), CLEAR);
  // Stopped means stopped: no more redraws, and a second stop is silent.
  const count = writes.length;
  await sleep(50);
  line.stop();
  assert.equal(writes.length, count);
});

Deno.test("stopping before the first redraw writes nothing", () => {
  const writes: string[] = [];
  const line = new ProgressLine({
    enabled: true,
    write: (s) => writes.push(s),
    intervalMs: 60_000,
  });
  line.start(counter().read);
  line.stop();
  assert.deepEqual(writes, []);
});

Deno.test("by default the line is drawn only when stderr is a terminal", async () => {
  const writes: string[] = [];
  const line = new ProgressLine({
    write: (s) => writes.push(s),
    intervalMs: 5,
  });
  line.start(counter().read);
  await sleep(100);
  line.stop();
  // Under `deno test` stderr is usually a pipe; either way the two agree.
  assert.equal(writes.length > 0, Deno.stderr.isTerminal());
});

Deno.test("a failing snapshot stops the display without crashing", async () => {
  const writes: string[] = [];
  let reads = 0;
  const line = new ProgressLine({
    enabled: true,
    write: (s) => writes.push(s),
    intervalMs: 5,
  });
  line.start(() => {
    reads++;
    throw new Error("boom");
  });
  await sleep(100);
  line.stop();
  assert.equal(reads, 1);
  assert.deepEqual(writes, []);
});

Deno.test("formatProgress shows a bar with a known total, a count without", () => {
  assert.equal(
    formatProgress({ done: 250, errors: 3, elapsedMs: 2000, total: 1000 }),
    "[#####---------------] 25% 250/1000  3 errors  125 req/s  2.0 s",
  );
  assert.equal(
    formatProgress({ done: 5000, errors: 0, elapsedMs: 10_000 }, 612.4),
    "5000 requests  0 errors  612 req/s  10.0 s",
  );
  assert.equal(
    formatProgress({ done: 0, errors: 0, elapsedMs: 0, total: 10 }),
    "[--------------------] 0% 0/10  0 errors  0 req/s  0.0 s",
  );
  // Never past 100% even if the engine overshoots its count.
  assert.match(
    formatProgress({ done: 12, errors: 0, elapsedMs: 1000, total: 10 }),
    /^\[#{20}\] 100% 12\/10/,
  );
});

Deno.test("a non-positive interval is refused", () => {
  assert.throws(() => new ProgressLine({ intervalMs: 0 }), RangeError);
  assert.throws(() => new ProgressLine({ intervalMs: NaN }), RangeError);
});
