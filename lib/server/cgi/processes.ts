/**
 * Finding and killing what a CGI script leaves behind, through Linux's
 * /proc. Scripts are spawned as plain children (no process group of their
 * own, see cgi.ts for why), so nothing here uses process groups:
 *
 * - While the script runs, its descendants are its process tree, read
 *   from `/proc/PID/task/TID/children`. Each process is stopped before its
 *   children are listed, so none can fork past the sweep, and stopped
 *   parents cannot reap, so no listed pid can be reused before the kill.
 *   This also finds a grandchild that left with `setsid`.
 * - After the script exited, a process that still holds its stdout (a
 *   `sleep 30 &`) has been re-parented and is no longer in its tree; it is
 *   found by the pipe itself: the processes started after the script with
 *   an open file descriptor on that pipe. That costs a walk over /proc,
 *   so it runs only when such a holder is known to exist. The pipe is
 *   named by one `readlink` right after the spawn; a script that exits
 *   before even that (it would take a stalled server) cannot be traced,
 *   and what it left behind is only cut off, not killed.
 *
 * Without /proc (not Linux) only the script itself is killed.
 *
 * @module
 */

/** What identifies a script's leftovers later, read right after spawn. */
export interface ScriptIdentity {
  /** The script's pid. */
  pid: number;
  /** `performance.now()` at its spawn. */
  spawnedAt: number;
  /** The link text of its stdout (`pipe:[INODE]`); null if unknown. */
  stdoutPipe: string | null;
}

/** The tick rate of /proc's times (USER_HZ, the same on every Linux). */
const TICKS_PER_SECOND = 100;

/** The start time (field 22) in the text of `/proc/PID/stat`. */
export function startTicksOf(stat: string): number | null {
  // The command name (field 2) may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isInteger(ticks) ? ticks : null;
}

/**
 * Reads what identifies process `pid`: one `readlink`, about as cheap as
 * a system call gets. Call it right after the spawn: a process that has
 * already exited is not identified.
 */
export function identifyScript(pid: number): ScriptIdentity {
  const spawnedAt = performance.now();
  let stdoutPipe: string | null = null;
  try {
    const link = Deno.readLinkSync(`/proc/${pid}/fd/1`);
    if (link.startsWith("pipe:")) stdoutPipe = link;
  } catch {
    // Gone already, or no /proc.
  }
  return { pid, spawnedAt, stdoutPipe };
}

/**
 * The earliest start time (in ticks since boot) a process started no
 * earlier than `spawnedAt` can have, with a little slack for rounding.
 */
async function ticksSince(spawnedAt: number): Promise<number> {
  const uptime = Number(
    (await Deno.readTextFile("/proc/uptime")).split(" ")[0],
  );
  const seconds = uptime - (performance.now() - spawnedAt) / 1000;
  return Math.floor(seconds * TICKS_PER_SECOND) - 2;
}

/** The direct children of `pid` (of all its threads). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      let text: string;
      try {
        text = Deno.readTextFileSync(
          `/proc/${pid}/task/${task.name}/children`,
        );
      } catch {
        continue;
      }
      for (const word of text.split(" ")) {
        const child = Number(word);
        if (word !== "" && Number.isInteger(child)) out.push(child);
      }
    }
  } catch {
    // Gone, or no /proc.
  }
  return out;
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Kills the descendants of `rootPid` with SIGKILL, stopping each one
 * before listing its children. `stopRoot` stops the root itself first (the
 * caller owns it: a child process is signalled through its handle, which
 * knows whether it was reaped). Returns the pids killed.
 */
export function killDescendants(
  rootPid: number,
  stopRoot: () => void,
): number[] {
  stopRoot();
  const found: number[] = [];
  const seen = new Set<number>([rootPid]);
  let frontier = [rootPid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const pid of frontier) {
      for (const child of childrenOf(pid)) {
        if (seen.has(child)) continue;
        seen.add(child);
        signal(child, "SIGSTOP");
        found.push(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  for (const pid of found) signal(pid, "SIGKILL");
  return found;
}

/**
 * The processes other than this one that hold `identity`'s stdout pipe
 * open, among those started no earlier than the script.
 */
export async function findPipeHolders(
  identity: ScriptIdentity,
): Promise<number[]> {
  const { stdoutPipe } = identity;
  if (stdoutPipe === null) return [];
  const holders: number[] = [];
  try {
    const startTicks = await ticksSince(identity.spawnedAt);
    for await (const entry of Deno.readDir("/proc")) {
      const code = entry.name.charCodeAt(0);
      if (code < 48 || code > 57) continue;
      const pid = Number(entry.name);
      if (pid === Deno.pid) continue;
      try {
        const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
        const start = startTicksOf(stat);
        if (start === null || start < startTicks) continue;
        for await (const fd of Deno.readDir(`/proc/${pid}/fd`)) {
          const link = await Deno.readLink(`/proc/${pid}/fd/${fd.name}`)
            .catch(() => "");
          if (link === stdoutPipe) {
            holders.push(pid);
            break;
          }
        }
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
  } catch {
    // No /proc.
  }
  return holders;
}

/** Kills `pids` with SIGKILL. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) signal(pid, "SIGKILL");
}
