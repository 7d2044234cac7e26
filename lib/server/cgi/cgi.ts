/**
 * CGI/1.1 scripts (RFC 3875), the way Apache's mod_cgi runs them: one
 * process per request with a fresh environment, the request body on its
 * stdin, its header block turned into the response head, and the rest of
 * its stdout sent to the client: whole with a `Content-Length` when the
 * script ends within a few milliseconds of its header block (most do),
 * else streamed as it arrives (chunked on HTTP/1.1, close-delimited on
 * HTTP/1.0). Its stderr goes to the server log.
 *
 * Decisions:
 * - A local `Location: /path` without `Status` is answered as a 302 to the
 *   client, not re-dispatched inside the server as RFC 3875 section 6.2.2
 *   describes. Re-dispatch would need the request handler (which owns this
 *   module) and a loop guard, and the client ends up at the same resource.
 * - At most `--cgi-max` scripts run at once (see limiter.ts); up to
 *   {@linkcode CGI_QUEUE_PER_SCRIPT} requests per slot wait, each for at
 *   most the CGI timeout, and the rest get 503 with `Retry-After`. The
 *   timeout counts from the spawn, never the wait before it.
 * - Scripts are spawned as plain children, not `detached` in a process
 *   group of their own. Deno can only give a child its own group or
 *   session by forking the whole server first, which copies the page
 *   tables of its heap, on the event loop: bench/cgi_spawn.ts (2 cores,
 *   noisy) measured `spawn()` blocking about 1–1.5 ms plain, 7–14 ms
 *   detached and 20–22 ms detached with 300 MB more resident memory.
 *   Starting the script through `/usr/bin/setsid` blocks no longer than a
 *   plain spawn but adds a second exec, 2–3 ms per request, and its
 *   execvp would run a file without a `#!` line through /bin/sh. So what a
 *   script leaves behind is found through /proc instead (processes.ts),
 *   for one `readlink` per spawn: on a kill, its process tree, stopped
 *   from the top down; after it exited, whoever still holds its stdout.
 * - The response ends when the script has exited and its output has been
 *   quiet for a moment, even if a background child still holds the pipe;
 *   that child is then killed (script_run.ts).
 * - A timeout after the head was sent cannot be told to the client in a
 *   status; ending a chunked body without its last chunk is the only
 *   signal, so the response is aborted and the connection closes without
 *   it (the request is still access-logged, with what was sent).
 *
 * @module
 */

import { logDebug, logWarning } from "../../common/log.ts";
import {
  buildCgiEnv,
  type CgiScriptPaths,
  cgiSearchPath,
  type CgiServerInfo,
} from "./env.ts";
import { CgiLimiter } from "./limiter.ts";
import {
  CGI_MAX_HEAD_BYTES,
  CgiOutputError,
  type CgiResponseHead,
  findHeaderBlockEnd,
  type HeaderBlockEnd,
  parseCgiHeaderBlock,
} from "./output.ts";
import { ScriptInput } from "./script_input.ts";
import { exitText, QUIET, ScriptRun, within } from "./script_run.ts";
import type { ServerContext } from "../core/context.ts";
import { sendErrorPage } from "../core/error_page.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";

/** A script found in the document root (see {@linkcode CgiScriptPaths}). */
export type CgiScript = CgiScriptPaths;

/**
 * Requests that may wait per script slot: a burst of a few hundred
 * requests waits its turn instead of being refused, even with the two
 * slots of a server pinned to one core. A waiting request costs only its
 * connection, and waits at most the CGI timeout.
 */
export const CGI_QUEUE_PER_SCRIPT = 128;

/**
 * How long the body after a script's header block is gathered for one
 * write with a `Content-Length`, in ms, before the output is streamed
 * instead (see {@linkcode gatherOutput}).
 */
export const CGI_GATHER_MS = 20;

/** The most body bytes gathered for one write before streaming. */
export const CGI_GATHER_BYTES = 131_072;

/** What a 503 for a full queue tells the client to wait, in seconds. */
export const CGI_RETRY_AFTER = "2";

let searchPath: string | undefined;
const serverInfos = new WeakMap<ServerContext, CgiServerInfo>();
const limiters = new WeakMap<ServerContext, CgiLimiter>();

function serverInfo(ctx: ServerContext): CgiServerInfo {
  let info = serverInfos.get(ctx);
  if (info === undefined) {
    searchPath ??= cgiSearchPath();
    info = {
      root: ctx.root,
      port: ctx.port,
      bindAddress: ctx.config.hostname,
      searchPath,
      https: ctx.config.tlsCertFile !== "",
    };
    serverInfos.set(ctx, info);
  }
  return info;
}

/** The script slots of a server. */
export function cgiLimiter(ctx: ServerContext): CgiLimiter {
  let limiter = limiters.get(ctx);
  if (limiter === undefined) {
    const max = ctx.config.cgiMaxScripts;
    limiter = new CgiLimiter(max, max * CGI_QUEUE_PER_SCRIPT);
    limiters.set(ctx, limiter);
  }
  return limiter;
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
    bytes = bytes.length === 0 ? chunk : joinPieces([bytes, chunk]);
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
 * `cgiTimeoutMs` before its header block is complete, a 503 page when too
 * many scripts run and wait already.
 * A script that runs past the limit mid-body has its response aborted,
 * which closes the connection.
 *
 * @throws {HttpError} when the request body fails (408, 413, 400), for
 * the connection to answer; the script is killed first.
 */
export async function runCgiScript(
  req: HttpRequest,
  res: ResponseWriter,
  script: CgiScript,
  ctx: ServerContext,
): Promise<void> {
  // A chunked body is gathered before the script takes a slot: its
  // length must be known first, and slots are for running scripts.
  const input = await ScriptInput.of(req.body);
  let started = false;
  try {
    // A client that leaves while queued must not get a script run for it.
    const watch = req.clientGone;
    let gone: AbortSignal | undefined;
    const release = await cgiLimiter(ctx).acquire(
      ctx.config.cgiTimeoutMs,
      watch && (() => gone = watch()),
    );
    if (release === null && gone?.aborted) {
      logDebug(`${req.peer} | CGI ${script.scriptName}: client left the queue`);
      res.closeConnection();
      return;
    }
    if (release === null) {
      logDebug(`${req.peer} | CGI ${script.scriptName}: no free slot`);
      // Its body stays unread: the connection cannot carry another request.
      if (!req.body.complete) res.closeConnection();
      await sendErrorPage(res, 503, {
        headers: [["Retry-After", CGI_RETRY_AFTER]],
      });
      return;
    }
    req.progress();
    let run: ScriptRun;
    try {
      run = ScriptRun.spawn({
        path: script.fsPath,
        cwd: script.fsPath.slice(0, script.fsPath.lastIndexOf("/")) || "/",
        env: buildCgiEnv(req, script, serverInfo(ctx), input.length),
        stdin: input.length > 0,
        name: script.scriptName,
        limitMs: ctx.config.cgiTimeoutMs,
      });
    } catch (err) {
      release();
      const why = err instanceof Error ? err.message : String(err);
      logWarning(`CGI ${script.scriptName}: cannot be run: ${why}`);
      await sendErrorPage(res, 502);
      return;
    }
    started = true;
    run.finished.then(release);
    let bodyError: unknown = null;
    const feeding = input.length === 0
      ? null
      : input.writeTo(run.child.stdin, (err) => {
        bodyError = err;
        run.kill();
      });
    try {
      await relay(run, res, () => bodyError);
    } catch (err) {
      // The connection closes now, which ends a read the feeder waits on.
      input.stop();
      throw err;
    }
    if (feeding !== null) {
      // No read of the connection may outlive the handler: the connection
      // reads what is left of the body next.
      input.stop();
      await feeding;
    }
  } finally {
    if (!started) input.dispose();
  }
}

/**
 * Sends what the script prints; `bodyError` tells whether feeding it the
 * request body failed (it was killed then).
 */
async function relay(
  run: ScriptRun,
  res: ResponseWriter,
  bodyError: () => unknown,
): Promise<void> {
  const { bytes, end } = await readHeaderBlock(run);
  if (bodyError() !== null) throw bodyError();
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
    const status = await run.child.status;
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
  const gathered = await gatherOutput(run, bytes.subarray(end.bodyOffset));
  if (gathered.next === null && !run.timedOut) {
    if (bodyError() !== null) throw bodyError();
    try {
      await res.send(head.status, head.headers, joinPieces(gathered.pieces));
    } catch (err) {
      run.kill();
      throw err;
    }
    return;
  }
  try {
    await res.start(head.status, head.headers, null);
    for (const piece of gathered.pieces) await res.write(piece);
    // Streamed as it comes; awaiting each write makes a slow client slow
    // the script down (pipe back-pressure) instead of filling memory.
    let next = gathered.next;
    while (next !== null) {
      const chunk = await next;
      if (chunk === null) break;
      await res.write(chunk);
      next = run.read();
    }
  } catch (err) {
    // Most likely the client went away: the script's work is wasted.
    run.kill();
    throw err;
  }
  if (bodyError() !== null) throw bodyError();
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

/** What {@linkcode gatherOutput} read. */
interface Gathered {
  /** The body pieces read so far. */
  pieces: Uint8Array[];
  /** The read still under way, or null when the output has ended. */
  next: Promise<Uint8Array | null> | null;
}

/**
 * Reads the body that follows the header block until the output ends,
 * for {@linkcode CGI_GATHER_MS} at most and while it stays within
 * {@linkcode CGI_GATHER_BYTES}. Most scripts print a small page and exit:
 * their answer then goes out in one write with a `Content-Length` (as
 * lighttpd buffers CGI output by default), which spares the chunked
 * framing and lets an HTTP/1.0 client keep its connection. A script that
 * is still writing after that is streamed from where this stopped.
 */
async function gatherOutput(
  run: ScriptRun,
  first: Uint8Array,
): Promise<Gathered> {
  const pieces = first.length > 0 ? [first] : [];
  let size = first.length;
  const until = performance.now() + CGI_GATHER_MS;
  for (;;) {
    const next = run.read();
    if (size > CGI_GATHER_BYTES) return { pieces, next };
    const chunk = await within(next, until - performance.now());
    if (chunk === QUIET) return { pieces, next };
    if (chunk === null) return { pieces, next: null };
    pieces.push(chunk);
    size += chunk.length;
  }
}

/** The pieces as one array (the piece itself when there is one). */
function joinPieces(pieces: Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
