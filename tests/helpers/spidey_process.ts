/**
 * Starts real spidey processes on a free port for tests and stops them.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);
/** Absolute path of the repository. */
export const REPO_DIR: string = decodeURIComponent(ROOT.pathname).replace(
  /\/$/,
  "",
);

/** A spidey process under test. */
export interface SpideyProcess {
  /** The port it listens on. */
  port: number;
  /** The child process. */
  child: Deno.ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Waits until its stderr contains `text` (or `timeoutMs` passes). */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for it to exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Stops it (for `await using`). */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@linkcode startSpidey}. */
export interface StartOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** How long to wait for the listening line. */
  timeoutMs?: number;
}

/** Runs a program file of this repo with `deno run -A` and its config. */
export function denoRunArgs(
  program: string,
  args: readonly string[],
): string[] {
  return [
    "run",
    "-A",
    "--quiet",
    "--config",
    `${REPO_DIR}/deno.json`,
    `${REPO_DIR}/${program}`,
    ...args,
  ];
}

/**
 * Starts `spidey.ts` with `args` (add `-p 0` for a free port) and resolves
 * once it logs its listening line.
 */
export async function startSpidey(
  args: readonly string[],
  options: StartOptions = {},
): Promise<SpideyProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("spidey.ts", args),
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const waiters: Array<() => void> = [];
  const pump = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      log += decoder.decode(chunk, { stream: true });
      for (const w of waiters.splice(0)) w();
    }
    for (const w of waiters.splice(0)) w();
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  async function waitForLog(text: string | RegExp, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    const found = () =>
      typeof text === "string" ? log.includes(text) : text.test(log);
    while (!found()) {
      if (exited) {
        await pump;
        if (found()) return;
        throw new Error(`spidey exited before logging ${text}:\n${log}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Timed out waiting for ${text} in:\n${log}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  try {
    await waitForLog(/Listening on \S+:(\d+)/, options.timeoutMs ?? 15_000);
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await status;
    await pump;
    throw err;
  }
  const port = Number(/Listening on \S+:(\d+)/.exec(log)![1]);
  async function stop(signal: Deno.Signal = "SIGTERM") {
    if (!exited) {
      try {
        child.kill(signal);
      } catch { /* gone */ }
    }
    const s = await status;
    await pump;
    return s;
  }
  return {
    port,
    child,
    stderr: () => log,
    waitForLog,
    stop,
    async [Symbol.asyncDispose]() {
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 5000);
      await stop();
      clearTimeout(timer);
    },
  };
}

/** Files for a temporary document root: path → content (or a spec). */
export type DocrootSpec = Record<
  string,
  string | Uint8Array | { content: string | Uint8Array; mode?: number } | {
    symlink: string;
  } | { dir: true }
>;

/** Creates a temporary document root with `files`; returns its path. */
export async function makeDocroot(files: DocrootSpec): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "spidey-test-" });
  for (const [rel, spec] of Object.entries(files)) {
    const path = `${root}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof spec === "string") await Deno.writeTextFile(path, spec);
    else if (spec instanceof Uint8Array) await Deno.writeFile(path, spec);
    else if ("symlink" in spec) await Deno.symlink(spec.symlink, path);
    else if ("dir" in spec) await Deno.mkdir(path, { recursive: true });
    else {
      if (typeof spec.content === "string") {
        await Deno.writeTextFile(path, spec.content);
      } else await Deno.writeFile(path, spec.content);
      if (spec.mode !== undefined) await Deno.chmod(path, spec.mode);
    }
  }
  return root;
}

/**
 * Starts spidey in concurrent mode (`-f`) on a free port, serving `root`,
 * with `flags` after those: the set-up most end-to-end tests share.
 */
export function serveFolder(
  root: string,
  flags: readonly string[] = [],
  options: StartOptions = {},
): Promise<SpideyProcess> {
  return startSpidey(["-p", "0", "-d", root, "-f", ...flags], options);
}

/**
 * Starts spidey in its default mode (no `-f`) on a free port, serving
 * `root` with the access log off (`-q`), with `flags` after those.
 */
export function serveQuietly(
  root: string,
  flags: readonly string[] = [],
  options: StartOptions = {},
): Promise<SpideyProcess> {
  return startSpidey(["-p", "0", "-d", root, "-q", ...flags], options);
}
