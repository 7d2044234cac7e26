/**
 * The command line that starts another copy of the running program: the
 * compiled binary itself, or `deno run` with this script, its config and
 * the permissions this process holds. Used by `thor -p` and `spidey -w`.
 *
 * @module
 */

/** Facts about the running program that decide how to start a copy. */
export interface RuntimeFacts {
  /** True inside a `deno compile` binary (`Deno.build.standalone`). */
  standalone: boolean;
  /** `Deno.execPath()`: the binary itself, or the `deno` executable. */
  execPath: string;
  /** `Deno.mainModule`: the entry script's URL. */
  mainModule: string;
  /** Path of the `deno.json` to pass with `--config`, if there is one. */
  configPath: string | null;
  /** `--allow-*` flags for the permissions this process holds. */
  permissionFlags: string[];
}

/** A program and its arguments, ready for `Deno.Command`. */
export interface CommandLine {
  /** The executable to run. */
  command: string;
  /** Its arguments. */
  args: string[];
}

/**
 * Builds the command line that runs this program again with `programArgs`.
 * A compiled binary gets them directly; under `deno run` they follow
 * `run`, the permission flags, `--config` and the main module.
 */
export function selfCommand(
  facts: RuntimeFacts,
  programArgs: readonly string[],
): CommandLine {
  if (facts.standalone) {
    return { command: facts.execPath, args: [...programArgs] };
  }
  const args = ["run", "--quiet", ...facts.permissionFlags];
  if (facts.configPath !== null) args.push("--config", facts.configPath);
  else args.push("--unstable-net");
  args.push(facts.mainModule, ...programArgs);
  return { command: facts.execPath, args };
}

const PERMISSIONS = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "sys",
  "ffi",
] as const;

/** `--allow-*` flags for every permission this process holds in full. */
export function currentPermissionFlags(): string[] {
  const flags: string[] = [];
  for (const name of PERMISSIONS) {
    if (Deno.permissions.querySync({ name }).state === "granted") {
      flags.push(`--allow-${name}`);
    }
  }
  return flags;
}

/** Reads the facts of the running process. */
export function currentRuntimeFacts(): RuntimeFacts {
  const standalone = Boolean(
    (Deno.build as { standalone?: boolean }).standalone,
  );
  let configPath: string | null = null;
  if (!standalone && Deno.mainModule.startsWith("file:")) {
    const candidate = new URL("../deno.json", Deno.mainModule);
    try {
      const path = decodeURIComponent(candidate.pathname);
      Deno.statSync(path);
      configPath = path;
    } catch {
      configPath = null;
    }
  }
  return {
    standalone,
    execPath: Deno.execPath(),
    mainModule: Deno.mainModule,
    configPath,
    permissionFlags: standalone ? [] : currentPermissionFlags(),
  };
}
