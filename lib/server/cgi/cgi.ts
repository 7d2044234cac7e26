/**
 * CGI/1.1 scripts (RFC 3875), the way Apache's mod_cgi runs them: one
 * process per request with a fresh environment, the request body on its
 * stdin, its header block turned into the response head, and the rest of
 * its stdout streamed to the client as it arrives (chunked on HTTP/1.1,
 * close-delimited on HTTP/1.0). Its stderr goes to the server log.
 *
 * Decisions:
 * - A local `Location: /path` without `Status` is answered as a 302 to the
 *   client, not re-dispatched inside the server as RFC 3875 section 6.2.2
 *   describes. Re-dispatch would need the request handler (which owns this
 *   module) and a loop guard, and the client ends up at the same resource.
 * - Each script leads its own process group (`detached`), so a timeout or
 *   a vanished client kills the whole group with SIGKILL: a shell script's
 *   `sleep` dies with the shell instead of holding stdout open.
 * - A timeout after the head was sent cannot be told to the client in a
 *   status; ending a chunked body without its last chunk is the only
 *   signal, so the response is aborted and the connection closes without
 *   it (the request is still access-logged, with what was sent).
 *
 * @module
 */

import { logWarning } from "../../common/log.ts";
import {
  buildCgiEnv,
  type CgiScriptPaths,
  cgiSearchPath,
  type CgiServerInfo,
} from "./env.ts";
import {
  CGI_MAX_HEAD_BYTES,
  CgiOutputError,
  type CgiResponseHead,
  findHeaderBlockEnd,
  type HeaderBlockEnd,
  parseCgiHeaderBlock,
} from "./output.ts";
import { relayScriptStderr } from "./stderr.ts";
import type { ServerContext } from "../core/context.ts";
import { sendErrorPage } from "../core/error_page.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";

/** A script found in the document root (see {@linkcode CgiScriptPaths}). */
export type CgiScript = CgiScriptPaths;

let searchPath: string | undefined;
const serverInfos = new WeakMap<ServerContext, CgiServerInfo>();

function serverInfo(ctx: ServerContext): CgiServerInfo {
  let info = serverInfos.get(ctx);
  if (info === undefined) {
    searchPath ??= cgiSearchPath();
    info = {
      root: ctx.root,
      port: ctx.port,
      bindAddress: ctx.config.hostname,
      searchPath,
    };
    serverInfos.set(ctx, info);
  }
  return info;
}

// Process groups still running, killed if spidey exits before they end.
const liveGroups = new Set<number>();
let unloadHooked = false;

function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function exitText(status: Deno.CommandStatus): string {
  return status.signal !== null
    ? `was killed by ${status.signal}`
    : `exited with code ${status.code}`;
}

/** One running script: its stdout reader, its deadline, its cleanup. */
class ScriptRun {
  readonly name: string;
  readonly child: Deno.ChildProcess;
  readonly limitMs: number;
  /** True once the deadline passed and the script was killed. */
  timedOut = false;
  /**
   * True once its header block was accepted: from then on a failed exit is
   * logged here, before that the caller explains the failure itself.
   */
  relaying = false;
  #killed = false;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #timer: ReturnType<typeof setTimeout>;
  #stdoutDone!: () => void;

  constructor(child: Deno.ChildProcess, name: string, limitMs: number) {
    this.child = child;
    this.name = name;
    this.limitMs = limitMs;
    this.#reader = child.stdout.getReader();
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.kill();
    }, limitMs);
    if (!unloadHooked) {
      unloadHooked = true;
      globalThis.addEventListener("unload", () => {
        for (const pid of liveGroups) killGroup(pid);
      });
    }
    liveGroups.add(child.pid);
    const stdoutDone = new Promise<void>((resolve) => {
      this.#stdoutDone = resolve;
    });
    // The deadline holds until the script has exited AND its stdout has
    // closed: a leftover child holding the pipe is killed too.
    Promise.all([child.status, stdoutDone]).then(([status]) => {
      clearTimeout(this.#timer);
      liveGroups.delete(child.pid);
      if (!status.success && this.relaying && !this.#killed) {
        logWarning(`CGI ${name}: ${exitText(status)}`);
      }
    });
    relayScriptStderr(child.stderr, name);
  }

  /** The next piece of stdout, or null at its end. */
  async read(): Promise<Uint8Array | null> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.#reader.read();
    } catch {
      result = { done: true, value: undefined };
    }
    if (result.done) {
      this.#stdoutDone();
      return null;
    }
    return result.value;
  }

  /** Kills the script's whole process group and stops reading it. */
  kill(): void {
    if (this.#killed) return;
    this.#killed = true;
    killGroup(this.child.pid);
    // A process that left the group (setsid) may still hold stdout open;
    // nothing more is read from it either way.
    this.#reader.cancel().catch(() => {});
    this.#stdoutDone();
  }
}

function feedStdin(stdin: WritableStream<Uint8Array>, body: Uint8Array): void {
  const writer = stdin.getWriter();
  (async () => {
    if (body.length > 0) await writer.write(body);
    await writer.close();
  })().catch(() => {
    // EPIPE: the script exited without reading its input, which is fine.
  });
}

/** Reads stdout until the header block ends, the output ends, or it is too long. */
async function readHeaderBlock(
  run: ScriptRun,
): Promise<{ bytes: Uint8Array; end: HeaderBlockEnd | null }> {
  let bytes: Uint8Array = new Uint8Array(0);
  for (;;) {
    const chunk = await run.read();
    if (chunk === null) return { bytes, end: null };
    const scanFrom = bytes.length;
    if (bytes.length === 0) bytes = chunk;
    else {
      const joined = new Uint8Array(bytes.length + chunk.length);
      joined.set(bytes);
      joined.set(chunk, bytes.length);
      bytes = joined;
    }
    const end = findHeaderBlockEnd(bytes, scanFrom);
    // +2 leaves room for the CRLF that ends the last allowed line.
    if (end !== null || bytes.length > CGI_MAX_HEAD_BYTES + 2) {
      return { bytes, end };
    }
  }
}

async function failScript(
  run: ScriptRun,
  res: ResponseWriter,
  reason: string,
): Promise<void> {
  run.kill();
  logWarning(`CGI ${run.name}: ${reason}`);
  await sendErrorPage(res, 502);
}

/**
 * Runs `script` for `req` and relays its answer: a 502 page when it cannot
 * start or prints no valid header block, a 504 page when it runs past
 * `cgiTimeoutMs` before its header block is complete.
 * A script that runs past the limit mid-body has its response aborted,
 * which closes the connection.
 */
export async function runCgiScript(
  req: HttpRequest,
  res: ResponseWriter,
  script: CgiScript,
  ctx: ServerContext,
): Promise<void> {
  const env = buildCgiEnv(req, script, serverInfo(ctx));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(script.fsPath, {
      args: [],
      cwd: script.fsPath.slice(0, script.fsPath.lastIndexOf("/")) || "/",
      env,
      clearEnv: true,
      detached: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    logWarning(`CGI ${script.scriptName}: cannot be run: ${why}`);
    await sendErrorPage(res, 502);
    return;
  }
  const run = new ScriptRun(child, script.scriptName, ctx.config.cgiTimeoutMs);
  feedStdin(child.stdin, req.body);

  const { bytes, end } = await readHeaderBlock(run);
  if (run.timedOut) {
    logWarning(
      `CGI ${run.name}: killed after ${
        run.limitMs / 1000
      } s without a complete header block`,
    );
    await sendErrorPage(res, 504);
    return;
  }
  if (end === null) {
    if (bytes.length > CGI_MAX_HEAD_BYTES) {
      await failScript(run, res, "header block is too long");
      return;
    }
    // stdout closed: whatever the script still does cannot be sent.
    run.kill();
    const status = await child.status;
    const what = bytes.length === 0 ? "no output" : "no end of header block";
    logWarning(`CGI ${run.name}: ${what} (it ${exitText(status)})`);
    await sendErrorPage(res, 502);
    return;
  }
  let head: CgiResponseHead;
  try {
    head = parseCgiHeaderBlock(bytes.subarray(0, end.headLength));
  } catch (err) {
    if (!(err instanceof CgiOutputError)) throw err;
    await failScript(run, res, `bad header block: ${err.message}`);
    return;
  }

  run.relaying = true;
  try {
    await res.start(head.status, head.headers, null);
    if (end.bodyOffset < bytes.length) {
      await res.write(bytes.subarray(end.bodyOffset));
    }
    // Streamed as it comes; awaiting each write makes a slow client slow
    // the script down (pipe back-pressure) instead of filling memory.
    for (;;) {
      const chunk = await run.read();
      if (chunk === null) break;
      await res.write(chunk);
    }
  } catch (err) {
    // Most likely the client went away: the script's work is wasted.
    run.kill();
    throw err;
  }
  if (run.timedOut) {
    logWarning(
      `CGI ${run.name}: ran past ${
        run.limitMs / 1000
      } s and was killed; the response was cut short`,
    );
    res.abort();
    return;
  }
  await res.end();
}
