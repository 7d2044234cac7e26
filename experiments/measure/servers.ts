/**
 * Starting and stopping one server configuration of the study on a free
 * port of 127.0.0.1: spidey in one of its modes (its port read from its
 * `Listening on` line, since it picks one itself with `-p 0`), nginx or
 * lighttpd on a port picked here. Every started server is remembered so
 * that an interrupted study stops them all.
 *
 * @module
 */

import { pinned } from "./cpu_pinning.ts";
import { StudyError } from "../data/errors.ts";
import { lighttpdConfig, nginxConfig, type PeerSetup } from "./peer_configs.ts";
import type { ServerConfig } from "./configs.ts";

/** Where servers run from. */
export interface ServerContext {
  /** The repository (for spidey.ts and deno.json). */
  repoDir: string;
  /** The docroot to serve. */
  docroot: string;
  /** A scratch folder for peer configs and logs. */
  workDir: string;
  /** Pin servers to their CPUs with taskset. */
  pin: boolean;
}

/** A server that is up and answering. */
export interface RunningServer {
  /** Its configuration. */
  config: ServerConfig;
  /** Its port on 127.0.0.1. */
  port: number;
  /** False once the process has exited. */
  alive(): boolean;
  /** The last lines it wrote to stderr. */
  logTail(): string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_CHARS = 2000;
const running = new Set<RunningServer>();

/** Stops every server still running (used on interrupt). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Collects a child's stderr, keeping its tail for error messages. */
class LogTail {
  text = "";
  #waiters: Array<() => void> = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#pump(stream);
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.text = (this.text + decoder.decode(chunk, { stream: true })).slice(
          -LOG_TAIL_CHARS,
        );
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      // The child is gone; its last words are in `text`.
    }
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves on the next chunk or at the end of the stream. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

function spawn(command: string, args: string[]): Deno.ChildProcess {
  try {
    return new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    })
      .spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new StudyError("TOOL_MISSING", `${command} is not installed`);
    }
    throw err;
  }
}

function tracked(
  config: ServerConfig,
  port: number,
  child: Deno.ChildProcess,
  log: LogTail,
): RunningServer {
  let stopping: Promise<void> | null = null;
  let exited = false;
  child.status.then(() => exited = true);
  const server: RunningServer = {
    config,
    port,
    alive: () => !exited,
    logTail: () => log.text.trim().split("\n").slice(-3).join(" | "),
    stop() {
      stopping ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch {
          // It has exited already.
        }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch {
            // It exited within the grace period after all.
          }
        }, STOP_GRACE_MS);
        await child.status;
        clearTimeout(timer);
        await log.done;
        running.delete(server);
      })();
      return stopping;
    },
  };
  running.add(server);
  return server;
}

function startFailure(config: ServerConfig, log: string): StudyError {
  const tail = log.trim().split("\n").slice(-3).join(" | ");
  const code = /address already in use|EADDRINUSE/i.test(log)
    ? "PORT_UNAVAILABLE"
    : "SERVER_START_FAILED";
  return new StudyError(
    code,
    `${config.name} did not start: ${tail || "no output"}`,
  );
}

async function startSpidey(
  config: ServerConfig,
  ctx: ServerContext,
): Promise<RunningServer> {
  const args = [
    "run",
    "-A",
    "--quiet",
    "--config",
    `${ctx.repoDir}/deno.json`,
    `${ctx.repoDir}/spidey.ts`,
    "-p",
    "0",
    "-b",
    "127.0.0.1",
    "-d",
    ctx.docroot,
    "-q",
    ...config.args,
  ];
  const line = pinned(ctx.pin, config.cpus, Deno.execPath(), args);
  const child = spawn(line.command, line.args);
  const log = new LogTail(child.stderr);
  const server = tracked(config, 0, child, log);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const expiry = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve();
    }, START_TIMEOUT_MS);
  });
  try {
    for (;;) {
      const match = log.text.match(/Listening on 127\.0\.0\.1:(\d+)/);
      if (match?.[1] !== undefined) {
        server.port = Number(match[1]);
        return server;
      }
      if (!server.alive() || timedOut) {
        await server.stop();
        throw startFailure(config, log.text);
      }
      await Promise.race([log.changed(), child.status, expiry]);
    }
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function answers(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

function readErrorLog(dir: string): string {
  try {
    return Deno.readTextFileSync(`${dir}/error.log`);
  } catch {
    return "";
  }
}

async function startPeerOnce(
  config: ServerConfig,
  ctx: ServerContext,
): Promise<RunningServer> {
  const stateDir = `${ctx.workDir}/${config.name}`;
  Deno.mkdirSync(stateDir, { recursive: true });
  const setup: PeerSetup = { port: freePort(), docroot: ctx.docroot, stateDir };
  const configPath = `${stateDir}/${config.server}.conf`;
  let line;
  if (config.server === "nginx") {
    Deno.writeTextFileSync(configPath, nginxConfig(setup, config.workers));
    line = pinned(ctx.pin, config.cpus, "nginx", [
      "-c",
      configPath,
      "-e",
      `${stateDir}/error.log`,
    ]);
  } else {
    Deno.writeTextFileSync(configPath, lighttpdConfig(setup));
    line = pinned(ctx.pin, config.cpus, "lighttpd", ["-D", "-f", configPath]);
  }
  const child = spawn(line.command, line.args);
  const log = new LogTail(child.stderr);
  const server = tracked(config, setup.port, child, log);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (server.alive() && Date.now() < deadline) {
    if (await answers(setup.port)) return server;
    await delay(100);
  }
  await server.stop();
  throw startFailure(config, `${log.text}\n${readErrorLog(stateDir)}`);
}

/**
 * Starts `config` and resolves once it accepts connections. A peer whose
 * port was taken in the meantime is retried on another port (twice).
 */
export async function startServer(
  config: ServerConfig,
  ctx: ServerContext,
): Promise<RunningServer> {
  if (config.server === "spidey") return await startSpidey(config, ctx);
  for (let attempt = 1;; attempt++) {
    try {
      return await startPeerOnce(config, ctx);
    } catch (err) {
      if (
        !(err instanceof StudyError) || err.code !== "PORT_UNAVAILABLE" ||
        attempt >= 3
      ) throw err;
    }
  }
}
