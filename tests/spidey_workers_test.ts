/**
 * spidey's `-w N` worker processes against real processes: connections
 * spread over the workers, a killed worker is restarted, and every worker
 * stops with the parent, however the parent ends.
 */

import assert from "node:assert/strict";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { makeDocroot, startSpidey } from "./helpers/spidey_process.ts";

/** Process ids whose parent is `ppid` (Linux /proc). */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // Fields after the ")" that ends the command name: state ppid ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid && fields[0] !== "Z") {
        out.push(Number(entry.name));
      }
    } catch {
      // Gone while we looked.
    }
  }
  return out.sort((a, b) => a - b);
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitUntil(
  cond: () => boolean,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

Deno.test({
  name: "spidey -w 2 runs two workers, restarts a killed one, stops them all",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const root = await makeDocroot({ "hello.txt": "hello" });
    const spidey = await startSpidey(["-p", "0", "-d", root, "-w", "2", "-v"], {
      timeoutMs: 30_000,
    });
    try {
      assert.match(
        spidey.stderr(),
        /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Listening on 0\.0\.0\.0:\d+ with 2 workers \(\d+, \d+\)\.\.\.$/m,
      );
      const parent = spidey.child.pid;
      const workers = childPids(parent);
      assert.equal(workers.length, 2, `children: ${workers}`);
      const listed = /workers \((\d+), (\d+)\)/.exec(spidey.stderr())!;
      assert.deepEqual(
        [Number(listed[1]), Number(listed[2])].sort((a, b) => a - b),
        workers,
      );

      // New connections are spread over both workers by the kernel.
      for (let i = 0; i < 40; i++) {
        const res = await rawRequest(spidey.port, get("/hello.txt"));
        assert.equal(res.status, 200);
        assert.equal(res.text, "hello");
      }
      const accepts = () => [
        ...spidey.stderr().matchAll(/Accepted by process (\d+)/g),
      ];
      assert.ok(await waitUntil(() => accepts().length >= 40), "40 accepts");
      const answering = new Set(accepts().map((m) => Number(m[1])));
      assert.deepEqual(
        [...answering].sort((a, b) => a - b),
        workers,
        "both workers answered",
      );

      // A worker killed outright is replaced.
      Deno.kill(workers[0]!, "SIGKILL");
      await spidey.waitForLog(/Worker \d+ started in its place/, 20_000);
      assert.match(
        spidey.stderr(),
        new RegExp(`Worker ${workers[0]} exited .*SIGKILL`),
      );
      const replaced = childPids(parent);
      assert.equal(replaced.length, 2);
      assert.ok(!replaced.includes(workers[0]!));
      assert.ok(replaced.includes(workers[1]!));
      for (let i = 0; i < 20; i++) {
        const res = await rawRequest(spidey.port, get("/hello.txt"));
        assert.equal(res.status, 200);
      }

      // SIGTERM to the parent stops everything, with no orphans left.
      const status = await spidey.stop("SIGTERM");
      assert.equal(status.code, 0);
      assert.match(spidey.stderr(), /Stopped/);
      assert.ok(
        await waitUntil(() => replaced.every((pid) => !alive(pid))),
        `orphans left: ${replaced.filter(alive)}`,
      );
    } finally {
      await spidey[Symbol.asyncDispose]();
    }
  },
});

Deno.test({
  name: "spidey -w workers stop by themselves when the parent is killed",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const root = await makeDocroot({ "hello.txt": "hello" });
    const spidey = await startSpidey(["-p", "0", "-d", root, "-w", "1", "-q"], {
      timeoutMs: 30_000,
    });
    let workers: number[] = [];
    try {
      workers = childPids(spidey.child.pid);
      assert.equal(workers.length, 1);
      await spidey.stop("SIGKILL");
      assert.ok(
        await waitUntil(() => workers.every((pid) => !alive(pid))),
        "the orphaned worker kept running",
      );
    } finally {
      for (const pid of workers.filter(alive)) Deno.kill(pid, "SIGKILL");
      await spidey[Symbol.asyncDispose]();
    }
  },
});

Deno.test({
  name: "spidey -w exits 1, saying why, when its workers keep crashing",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const root = await makeDocroot({ "hello.txt": "hello" });
    const spidey = await startSpidey(["-p", "0", "-d", root, "-w", "1", "-q"], {
      timeoutMs: 30_000,
    });
    try {
      const workers = childPids(spidey.child.pid);
      assert.equal(workers.length, 1);
      // Every replacement now fails to start: its document root is gone.
      await Deno.remove(root, { recursive: true });
      Deno.kill(workers[0]!, "SIGKILL");
      await spidey.waitForLog(/No worker left/, 60_000);
      const status = await spidey.stop();
      assert.equal(status.code, 1, spidey.stderr());
      const log = spidey.stderr();
      assert.match(log, /Document root ".*" does not exist/);
      assert.match(
        log,
        /Worker slot 0 keeps crashing \(process \d+ exited with status 2, exit 6 in 10 s\); not restarting it/,
      );
      assert.doesNotMatch(log, /Stopped/);
    } finally {
      await spidey[Symbol.asyncDispose]();
    }
  },
});
