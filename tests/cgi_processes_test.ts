/**
 * Finding and killing a script's leftovers through /proc, on real
 * processes: its tree (a `setsid` grandchild included) and whoever holds
 * its stdout after it exited.
 */

import assert from "node:assert/strict";
import {
  childrenOf,
  findPipeHolders,
  identifyScript,
  killDescendants,
  startTicksOf,
} from "../lib/server/cgi/processes.ts";
import { processExists, readPid, waitGone } from "./helpers/cgi_scripts.ts";

Deno.test("startTicksOf reads field 22, whatever the command name holds", () => {
  const rest = "S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 20 21";
  assert.equal(startTicksOf(`123 (sh) ${rest}`), 4242);
  assert.equal(startTicksOf(`123 (a) b (c) ${rest}`), 4242);
  assert.equal(startTicksOf("garbage"), null);
});

/** Spawns `sh -c script` with piped stdout; the caller ends it. */
function spawnSh(script: string): Deno.ChildProcess {
  return new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

Deno.test("killDescendants stops and kills a script's whole tree, setsid included", async () => {
  const dir = await Deno.makeTempDir();
  const child = spawnSh(
    `sleep 30 & echo $! > ${dir}/a\n` +
      `setsid sleep 30 & echo $! > ${dir}/b\n` +
      `(sleep 30 & echo $! > ${dir}/c; wait) &\n` +
      `wait\n`,
  );
  try {
    const pids = await Promise.all(
      ["a", "b", "c"].map((f) => readPid(`${dir}/${f}`)),
    );
    const me = identifyScript(child.pid);
    assert.equal(me.pid, child.pid);
    assert.ok(me.spawnedAt > 0);
    assert.match(me.stdoutPipe ?? "", /^pipe:\[\d+\]$/);
    assert.ok(childrenOf(child.pid).length >= 3);
    const killed = killDescendants(child.pid, () => child.kill("SIGSTOP"));
    child.kill("SIGKILL");
    for (const pid of pids) {
      assert.ok(killed.includes(pid), `${pid} in ${killed}`);
      assert.ok(await waitGone(pid), `${pid} still runs`);
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await child.stdout.cancel();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findPipeHolders finds who keeps a script's stdout after it exited", async () => {
  const dir = await Deno.makeTempDir();
  const child = spawnSh(
    `setsid sleep 30 & echo $! > ${dir}/held\n` +
      `sleep 30 > /dev/null & echo $! > ${dir}/free\n` +
      // Alive long enough to be identified even on a loaded machine.
      `sleep 0.2\nexit 0\n`,
  );
  const me = identifyScript(child.pid);
  try {
    const held = await readPid(`${dir}/held`);
    const free = await readPid(`${dir}/free`);
    await child.status;
    const holders = await findPipeHolders(me);
    assert.deepEqual(holders, [held]);
    assert.ok(processExists(free));
    Deno.kill(free, "SIGKILL");
    Deno.kill(held, "SIGKILL");
    assert.ok(await waitGone(held));
  } finally {
    await child.stdout.cancel();
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(
    await findPipeHolders({ pid: 1, spawnedAt: 0, stdoutPipe: null }),
    [],
  );
});
