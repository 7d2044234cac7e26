/**
 * Facts recorded with every run: the machine (CPU model, cores, memory,
 * kernel, Deno) and the versions of thor and of each server. thor and
 * spidey carry the package version of `deno.json` plus the git commit
 * of the tree they ran from (`+dirty` when their files had changes).
 *
 * @module
 */

/** The machine the study ran on. */
export interface MachineFacts {
  /** CPU model name. */
  cpuModel: string;
  /** Logical CPUs. */
  cores: number;
  /** Memory in GiB, one decimal. */
  memGib: number;
  /** Kernel release. */
  kernel: string;
  /** Deno version. */
  denoVersion: string;
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** The CPU model from `/proc/cpuinfo` text, or `unknown`. */
export function cpuModelFrom(cpuinfo: string): string {
  const match = cpuinfo.match(/^model name\s*:\s*(.+)$/m);
  return match?.[1]?.trim() ?? "unknown";
}

/** Total memory in GiB (one decimal) from `/proc/meminfo` text, or 0. */
export function memGibFrom(meminfo: string): number {
  const match = meminfo.match(/^MemTotal:\s*(\d+)\s*kB/m);
  if (match?.[1] === undefined) return 0;
  return Math.round((Number(match[1]) / 1024 / 1024) * 10) / 10;
}

/** Reads the facts of this machine. */
export function machineFacts(): MachineFacts {
  return {
    cpuModel: cpuModelFrom(readText("/proc/cpuinfo")),
    cores: navigator.hardwareConcurrency,
    memGib: memGibFrom(readText("/proc/meminfo")),
    kernel: Deno.osRelease(),
    denoVersion: Deno.version.deno,
  };
}

/** Busy and total CPU time since boot, from the first line of `/proc/stat`. */
export function cpuTimesFrom(
  stat: string,
): { busy: number; total: number } | null {
  const fields = stat.match(/^cpu\s+(.+)$/m)?.[1]?.trim().split(/\s+/).map(
    Number,
  );
  if (
    fields === undefined || fields.length < 4 ||
    fields.some((n) => !Number.isFinite(n))
  ) return null;
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Percentage of the machine's CPU time (all CPUs) that was busy during
 * the next `ms` milliseconds; 0 where `/proc/stat` is not available.
 * Sampled between runs, while the study itself is idle, it measures how
 * much other work disturbs the measurements.
 */
export async function cpuBusyPercent(ms: number): Promise<number> {
  const before = cpuTimesFrom(readText("/proc/stat"));
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimesFrom(readText("/proc/stat"));
  if (before === null || after === null || after.total <= before.total) {
    return 0;
  }
  const share = (after.busy - before.busy) / (after.total - before.total);
  return Math.round(share * 1000) / 10;
}

/** One-minute load average (0 where the platform has none). */
export function loadAverage1(): number {
  try {
    return Math.round(Deno.loadavg()[0]! * 100) / 100;
  } catch {
    return 0;
  }
}

async function commandText(
  command: string,
  args: string[],
  cwd?: string,
): Promise<string | null> {
  try {
    const out = await new Deno.Command(command, {
      args,
      cwd,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    if (!out.success) return null;
    const decoder = new TextDecoder();
    return (decoder.decode(out.stdout) + decoder.decode(out.stderr)).trim();
  } catch {
    return null;
  }
}

/**
 * `NAME VERSION (COMMIT)` for a program of this repository: the version
 * of `deno.json` and the commit of the files in `paths`, `+dirty` when
 * they differ from it (read-only git commands; `no git` without git).
 */
export async function repoVersion(
  repoDir: string,
  name: string,
  paths: string[],
): Promise<string> {
  let version = "0.0.0";
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${repoDir}/deno.json`));
    if (typeof config.version === "string") version = config.version;
  } catch {
    // A repository without deno.json still gets a commit.
  }
  const commit = await commandText(
    "git",
    ["rev-parse", "--short", "HEAD"],
    repoDir,
  );
  if (commit === null) return `${name} ${version} (no git)`;
  const status = await commandText("git", [
    "status",
    "--porcelain",
    "--",
    ...paths,
  ], repoDir);
  const dirty = status !== null && status !== "" ? "+dirty" : "";
  return `${name} ${version} (${commit}${dirty})`;
}

/** `nginx/1.22.1` or `lighttpd/1.4.69` from the program's `-v`, or `unknown`. */
export async function peerVersion(
  program: "nginx" | "lighttpd",
): Promise<string> {
  const text = await commandText(program, ["-v"]);
  const match = text?.match(new RegExp(`${program}/[0-9.]+`));
  return match?.[0] ?? `${program} unknown`;
}
