import assert from "node:assert/strict";
import { sleepUnless, takeUnlessStopping } from "../lib/common/signals.ts";

const REPO = new URL("..", import.meta.url);

/**
 * Runs `body` as a script that has `onStopSignal` in scope, sends it
 * `signals` once it prints "ready", and returns its exit and stdout.
 */
async function withStopSignal(
  body: string,
  signals: Deno.Signal[],
): Promise<{ status: Deno.CommandStatus; stdout: string }> {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/probe.ts`;
  const signalsModule = new URL("lib/common/signals.ts", REPO).href;
  await Deno.writeTextFile(
    script,
    `import { onStopSignal } from "${signalsModule}";\n${body}\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      new URL("deno.json", REPO).pathname,
      script,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  try {
    while (!stdout.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    for (const signal of signals) {
      child.kill(signal);
      // Each signal its own delivery: two at once may be coalesced.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    return { status: await child.status, stdout };
  } finally {
    reader.releaseLock();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "onStopSignal calls stop once, on SIGINT or SIGTERM",
  ignore: Deno.build.os === "windows",
  async fn() {
    const body = `
      let stops = 0;
      const alive = setTimeout(() => {}, 10_000);
      const remove = onStopSignal(() => {
        stops++;
        setTimeout(() => {
          console.log("stops " + stops);
          remove();
          clearTimeout(alive);
        }, 300);
      });
      console.log("ready");
    `;
    for (const first of ["SIGINT", "SIGTERM"] as const) {
      const { status, stdout } = await withStopSignal(body, [
        first,
        "SIGTERM",
      ]);
      assert.equal(status.code, 0, first);
      assert.equal(stdout, "ready\nstops 1\n", first);
    }
  },
});

Deno.test({
  name: "onStopSignal's remover gives the signal back its default action",
  ignore: Deno.build.os === "windows",
  async fn() {
    const body = `
      const remove = onStopSignal(() => console.log("stopped"));
      remove();
      setTimeout(() => {}, 10_000);
      console.log("ready");
    `;
    const { status, stdout } = await withStopSignal(body, ["SIGTERM"]);
    assert.equal(status.signal, "SIGTERM");
    assert.equal(stdout, "ready\n");
  },
});

Deno.test("sleepUnless waits its time, or less when interrupted", async () => {
  let started = performance.now();
  await sleepUnless(30, new Promise<void>(() => {}));
  assert.ok(performance.now() - started >= 25);

  let interrupt = () => {};
  const interrupted = new Promise<void>((resolve) => interrupt = resolve);
  started = performance.now();
  const slept = sleepUnless(60_000, interrupted);
  setTimeout(interrupt, 10);
  // Resolving at all proves it; the test sanitizer proves the timer went.
  await slept;
  assert.ok(performance.now() - started < 5_000);
});

Deno.test("takeUnlessStopping retries failures until one succeeds", async () => {
  let calls = 0;
  const taken = await takeUnlessStopping(() => {
    calls++;
    return calls < 3
      ? Promise.reject(new Error("Too many open files (os error 24)"))
      : Promise.resolve("conn");
  }, () => false);
  assert.equal(taken, "conn");
  assert.equal(calls, 3);
});

Deno.test("takeUnlessStopping gives null once its socket was closed on purpose", async () => {
  let stopping = false;
  let calls = 0;
  const taken = await takeUnlessStopping(() => {
    calls++;
    stopping = true;
    return Promise.reject(new Deno.errors.BadResource("Bad resource ID"));
  }, () => stopping);
  assert.equal(taken, null);
  assert.equal(calls, 1);

  // Stopping during the pause after a failure ends it too.
  calls = 0;
  stopping = false;
  setTimeout(() => stopping = true, 10);
  const late = await takeUnlessStopping(() => {
    calls++;
    return Promise.reject(new Error("Too many open files"));
  }, () => stopping);
  assert.equal(late, null);
  assert.equal(calls, 1);
});
