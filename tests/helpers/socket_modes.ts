/**
 * Runs the socket modes of thor and spidey as real processes for tests:
 * stdin piped in, stdout and stderr captured, waits on their output.
 *
 * @module
 */

import { denoRunArgs } from "./spidey_process.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A running thor or spidey with its output captured. */
export interface ProgramProcess {
  /** The child process. */
  child: Deno.ChildProcess;
  /** Everything written to stdout so far, as text. */
  stdout(): string;
  /** Everything written to stdout so far, as bytes. */
  stdoutBytes(): Uint8Array;
  /** Everything written to stderr so far. */
  stderr(): string;
  /**
   * Waits until `stream` (from character `since` on) matches `pattern`;
   * throws with both outputs on timeout.
   */
  waitFor(
    stream: "stdout" | "stderr",
    pattern: string | RegExp,
    timeoutMs?: number,
    since?: number,
  ): Promise<void>;
  /** Writes `text` to stdin (when started with `stdin: "piped"`). */
  write(text: string | Uint8Array): Promise<void>;
  /** Closes stdin. */
  closeStdin(): Promise<void>;
  /** Resolves when the process has exited and its output is read. */
  finished(timeoutMs?: number): Promise<Deno.CommandStatus>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Stops it (for `await using`). */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A socket server started with {@linkcode startSocketServer}. */
export interface ServerProcess extends ProgramProcess {
  /** The port it listens on. */
  port: number;
}

/** Options of {@linkcode spawnProgram}. */
export interface SpawnOptions {
  /** Pipe stdin (default) or give it `/dev/null`. */
  stdin?: "piped" | "null";
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Waits until one of `waiters` is called (more output arrived) or `ms`
 * passes, whichever comes first.
 */
function waitForWake(waiters: Set<() => void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      waiters.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    waiters.add(wake);
  });
}

/** Starts `program` with `args`. */
export function spawnProgram(
  program: "thor" | "spidey",
  args: readonly string[],
  options: SpawnOptions = {},
): ProgramProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: denoRunArgs(`${program}.ts`, args),
    stdin: options.stdin ?? "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out: Uint8Array[] = [];
  let outText = "";
  let errText = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  const pumpOut = (async () => {
    for await (const chunk of child.stdout) {
      out.push(chunk);
      outText += decoder.decode(chunk, { stream: true });
      notify();
    }
  })();
  const pumpErr = (async () => {
    for await (const chunk of child.stderr) {
      errText += decoder.decode(chunk, { stream: true });
      notify();
    }
  })();
  let exited = false;
  const done = (async () => {
    const status = await child.status;
    await pumpOut;
    await pumpErr;
    exited = true;
    notify();
    return status;
  })();
  const writer = options.stdin === "null" ? null : child.stdin.getWriter();
  const describe = () => `stdout:\n${outText}\nstderr:\n${errText}`;

  async function waitFor(
    stream: "stdout" | "stderr",
    pattern: string | RegExp,
    timeoutMs = 10_000,
    since = 0,
  ): Promise<void> {
    const matches = () => {
      const text = (stream === "stdout" ? outText : errText).slice(since);
      return typeof pattern === "string"
        ? text.includes(pattern)
        : pattern.test(text);
    };
    const deadline = Date.now() + timeoutMs;
    while (!matches()) {
      if (exited) {
        throw new Error(
          `${program} exited before ${pattern} on ${stream}:\n${describe()}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out waiting for ${pattern} on ${stream}:\n${describe()}`,
        );
      }
      await waitForWake(waiters, Math.min(left, 200));
    }
  }

  async function finished(timeoutMs = 15_000): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        reject(new Error(`${program} did not exit in time:\n${describe()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function closeStdin(): Promise<void> {
    if (writer === null) return;
    try {
      await writer.close();
    } catch { /* already closed or the child is gone */ }
  }

  async function stop(signal: Deno.Signal = "SIGTERM") {
    if (!exited) {
      try {
        child.kill(signal);
      } catch { /* gone */ }
    }
    await closeStdin();
    return await finished();
  }

  return {
    child,
    stdout: () => outText,
    stdoutBytes: () => concat(out),
    stderr: () => errText,
    waitFor,
    async write(text) {
      if (writer === null) throw new Error("stdin is not piped");
      await writer.write(
        typeof text === "string" ? encoder.encode(text) : text,
      );
    },
    closeStdin,
    finished,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/**
 * Starts a spidey socket server (add `-p 0`) and resolves once it logs
 * `Listening on HOST:PORT...`.
 */
export async function startSocketServer(
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const proc = spawnProgram("spidey", args, options);
  try {
    await proc.waitFor("stderr", /Listening on \S+:\d+\.\.\./, 15_000);
  } catch (err) {
    await proc.stop("SIGKILL");
    throw err;
  }
  const port = Number(/Listening on \S+:(\d+)\.\.\./.exec(proc.stderr())![1]);
  return { ...proc, port };
}

/** The outcome of a program run to its end. */
export interface ProgramResult {
  /** Exit code. */
  code: number;
  /** Stdout bytes. */
  stdoutBytes: Uint8Array;
  /** Stdout as text. */
  stdout: string;
  /** Stderr as text. */
  stderr: string;
}

/** Runs `program` with `args` and `input` on stdin until it exits. */
export async function runProgram(
  program: "thor" | "spidey",
  args: readonly string[],
  input: string | Uint8Array = "",
  timeoutMs = 15_000,
): Promise<ProgramResult> {
  const proc = spawnProgram(program, args);
  try {
    await proc.write(input);
  } catch {
    // It exited without reading stdin; its status tells the rest.
  }
  await proc.closeStdin();
  const status = await proc.finished(timeoutMs);
  return {
    code: status.code,
    stdoutBytes: proc.stdoutBytes(),
    stdout: proc.stdout(),
    stderr: proc.stderr(),
  };
}

/** A raw TCP client for tests: sends text, collects what comes back. */
export interface RawLineClient {
  /** The connection. */
  conn: Deno.TcpConn;
  /** Everything received so far, as text. */
  received(): string;
  /** Sends `text` as is. */
  send(text: string | Uint8Array): Promise<void>;
  /** Waits until the received text matches `pattern`. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** Connects to `127.0.0.1:port` and starts collecting what arrives. */
export async function connectRaw(port: number): Promise<RawLineClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  let ended = false;
  const waiters = new Set<() => void>();
  const closed = (async () => {
    const buf = new Uint8Array(16_384);
    const dec = new TextDecoder();
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += dec.decode(buf.subarray(0, n), { stream: true });
        for (const w of waiters) w();
      }
    } catch {
      // Reset or closed here: ends like a close.
    }
    ended = true;
    for (const w of waiters) w();
  })();
  return {
    conn,
    received: () => text,
    async send(data) {
      let bytes = typeof data === "string" ? encoder.encode(data) : data;
      while (bytes.length > 0) bytes = bytes.subarray(await conn.write(bytes));
    },
    async waitFor(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const matches = () =>
        typeof pattern === "string"
          ? text.includes(pattern)
          : pattern.test(text);
      while (!matches()) {
        const left = deadline - Date.now();
        if (ended || left <= 0) {
          throw new Error(
            `${
              ended ? "Closed" : "Timed out"
            } waiting for ${pattern}; got:\n${text}`,
          );
        }
        await waitForWake(waiters, Math.min(left, 200));
      }
    },
    closed,
    close() {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}
