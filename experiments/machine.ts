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
