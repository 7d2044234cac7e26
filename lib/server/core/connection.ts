/**
 * One client connection: read a request head, parse it, hand it with its
 * body still unread to the request handler, log it, drop what the handler
 * left of the body, and loop for keep-alive and pipelined requests until
 * either side closes or a deadline passes.
 *
 * @module
 */

import {
  BufferedReader,
  HeadTooLargeError,
} from "../../http/buffered_reader.ts";
import { HttpError, ProtocolError } from "../../http/errors.ts";
import { currentHttpDate } from "../../http/date.ts";
import { hasToken, type HeaderList, latin1 } from "../../http/header_fields.ts";
import {
  isRequestLineUnfinished,
  parseRequestHead,
  type RequestHead,
} from "../../http/request_head.ts";
import { parseRequestTarget } from "../../http/request_target.ts";
import {
  joinHeadAndBody,
  serializeResponseHead,
} from "../../http/response_head.ts";
import { isVerbose, logAccess, logDebug, logError } from "../../common/log.ts";
import { closeQuietly, writeAll } from "../../common/net.ts";
import { escapeLogField, formatAccessLine } from "./access_log.ts";
import type { ConnectionTracker } from "./connection_tracker.ts";
import { renderErrorPage, sendErrorPage } from "./error_page.ts";
import type { HttpRequest } from "./request.ts";
import { DEFAULT_CONFIG } from "./config.ts";
import {
  DISCARD_LIMIT,
  expectsContinue,
  RequestBody,
  requestBodyFraming,
} from "./request_body.ts";
import {
  ConnResponseWriter,
  type ResponseWriter,
  SERVER_SOFTWARE,
} from "./response_writer.ts";

/** Answers one request. Errors it throws become a 500 page (or a close). */
export type RequestHandler = (
  req: HttpRequest,
  res: ResponseWriter,
) => Promise<void>;

/** How a connection is served. */
export interface ConnectionOptions {
  /** The request handler. */
  handler: RequestHandler;
  /** Deadlines and shutdown. */
  tracker: ConnectionTracker;
  /** Close after one response (single-connection mode). */
  oneRequest: boolean;
  /** Largest head in bytes. */
  maxHeadBytes: number;
  /** Largest body in bytes. */
  maxBodyBytes: number;
  /** The largest body of one request, when it depends on it (uploads). */
  bodyLimit?: (method: string, path: string) => number;
  /** The body deadline's longest wait and grace period, in ms. */
  bodyTimeoutMs?: number;
  /** Write access-log lines. */
  accessLog: boolean;
}

const encoder = new TextEncoder();

/** True for the errors a socket raises when the peer goes away. */
export function isDisconnect(err: unknown): boolean {
  return err instanceof Deno.errors.BrokenPipe ||
    err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.BadResource ||
    err instanceof Deno.errors.Interrupted ||
    err instanceof Deno.errors.NotConnected ||
    err instanceof Deno.errors.UnexpectedEof;
}

/**
 * A complete error response that needs no parsed request (bad heads,
 * timeouts): the error page, `Connection: close`, and no body for a HEAD.
 */
function standaloneErrorResponse(
  status: number,
  headers: ReadonlyArray<readonly [string, string]> = [],
  headOnly = false,
): { bytes: Uint8Array; bodyBytes: number } {
  const body = encoder.encode(renderErrorPage(status));
  const list: HeaderList = [
    ["Server", SERVER_SOFTWARE],
    ["Date", currentHttpDate()],
    ["Content-Type", "text/html; charset=utf-8"],
    ["Content-Length", String(body.length)],
    ["Connection", "close"],
    ...headers,
  ];
  const head = serializeResponseHead(status, list);
  return {
    bytes: joinHeadAndBody(head, headOnly ? undefined : body),
    bodyBytes: headOnly ? 0 : body.length,
  };
}

/** The request line of a head (without its line ending), as text. */
function requestLineOf(head: Uint8Array): string {
  let end = head.indexOf(10);
  if (end < 0) end = head.length;
  if (end > 0 && head[end - 1] === 13) end--;
  return latin1(head.subarray(0, Math.min(end, 16_384)));
}

/** The read buffer of a connection that reads a head or a body. */
const READ_BUFFER_BYTES = 8192;
/**
 * The read buffer of a connection waiting for its next head: most heads
 * fit, and an idle keep-alive connection then holds 1 KiB, not 8.
 */
const IDLE_READ_BUFFER_BYTES = 1024;

/** The longest time a closing connection keeps reading a client's body. */
const LINGER_MS = 2000;
/** A closing connection stops reading after this long without bytes. */
const LINGER_IDLE_MS = 500;
/**
 * Where lingering connections read the bytes they drop: one buffer for
 * all, since nothing reads it back, and large, so a fast client costs few
 * reads.
 */
const DROPPED_BYTES = new Uint8Array(65536);

/**
 * Closes a connection whose client may still be sending a body: closing
 * with unread bytes makes the kernel answer with a reset, which can
 * destroy the response before the client has read it. So half-close, read
 * and drop what still comes for a moment, then close.
 */
async function lingerAndClose(
  conn: Deno.Conn,
  reader: BufferedReader,
): Promise<void> {
  const started = performance.now();
  let last = started;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // One timer, not one per read: closing the socket ends the pending read.
  const check = () => {
    const now = performance.now();
    const left = Math.min(
      LINGER_IDLE_MS - (now - last),
      LINGER_MS - (now - started),
    );
    if (left <= 0) closeQuietly(conn);
    else timer = setTimeout(check, left);
  };
  try {
    await conn.closeWrite();
    timer = setTimeout(check, LINGER_IDLE_MS);
    while (await reader.read(DROPPED_BYTES) !== null) last = performance.now();
  } catch {
    // Closed by the timer, or the client is gone.
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

/** Serves every request on `conn`, then closes it. Never throws. */
export async function serveConnection(
  conn: Deno.Conn,
  options: ConnectionOptions,
): Promise<void> {
  try {
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  } catch {
    // Not a TCP socket (e.g. a Unix socket in a test): nothing to tune.
  }
  const remote = conn.remoteAddr as Deno.NetAddr;
  const local = conn.localAddr as Deno.NetAddr;
  const peer = `${remote.hostname}:${remote.port}`;
  const { tracker } = options;
  let closed = false;
  // A 408 being written by the sweep; it closes the connection when done.
  let timeoutAnswer: Promise<void> | null = null;
  let requestLine = "-";

  function logRefusal(status: number, bodyBytes: number): void {
    if (!options.accessLog) return;
    logAccess(formatAccessLine({
      remoteAddr: remote.hostname,
      requestLine,
      status,
      bytes: bodyBytes,
    }));
  }

  const tracked = tracker.add((timedOutInHead) => {
    if (closed) return;
    closed = true;
    if (!timedOutInHead) {
      closeQuietly(conn);
      return;
    }
    logDebug(`${peer} | Header timeout`);
    const { bytes, bodyBytes } = standaloneErrorResponse(408);
    timeoutAnswer = writeAll(conn, bytes).then(
      () => logRefusal(408, bodyBytes),
      () => {/* the client is gone too */},
    ).finally(() => closeQuietly(conn));
  });
  if (isVerbose()) logDebug(`${peer} | Accepted by process ${Deno.pid}`);
  // The header timeout runs from the first byte of a head, and is not
  // extended by later bytes (slowloris).
  const reader = new BufferedReader(conn, READ_BUFFER_BYTES, () => {
    if (tracked.phase === "idle") tracker.head(tracked);
  }, IDLE_READ_BUFFER_BYTES);
  const onProgress = () => tracker.progress(tracked);
  // While a body waits for the client its own deadline applies, which
  // answers 408; the tracker's send timeout would close without a word.
  const onBodyWait = () => {
    tracker.suspend(tracked);
  };
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_CONFIG.bodyTimeoutMs;
  // The response of the request whose body is being read.
  let response: ConnResponseWriter | null = null;
  const onBodyProgress = () => {
    tracker.progress(tracked);
    // Shutdown began while the body came in: the answer closes.
    if (tracker.shuttingDown) response?.closeConnection();
  };
  // True when the client may still be sending a body nobody read.
  let linger = false;
  const logLines = options.accessLog || isVerbose();
  // HttpRequest.clientGone: one background read, settled before the next
  // head is read so two reads never overlap; its bytes stay buffered.
  let goneWatch: Promise<unknown> | null = null;
  const clientGone = (body: RequestBody): AbortSignal => {
    const gone = new AbortController();
    if (closed) gone.abort();
    else if (body.complete && goneWatch === null && reader.buffered === 0) {
      goneWatch = reader.fill().then(
        (more) => more || gone.abort(),
        () => gone.abort(),
      );
    }
    return gone.signal;
  };
  // One function per connection (not a closure per request): it asks about
  // the body of the request being served, which is one at a time.
  let currentBody: RequestBody = RequestBody.none();
  const currentClientGone = () => clientGone(currentBody);

  async function refuse(
    status: number,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): Promise<void> {
    const headOnly = requestLine.startsWith("HEAD ");
    const { bytes, bodyBytes } = standaloneErrorResponse(
      status,
      headers,
      headOnly,
    );
    await writeAll(conn, bytes);
    logRefusal(status, bodyBytes);
  }

  try {
    for (let served = 0;; served++) {
      // A new connection keeps the header deadline `add` gave it; between
      // requests the idle timeout applies until a byte arrives.
      if (served === 0) {
        if (tracker.shuttingDown) return;
      } else if (reader.buffered === 0) tracker.idle(tracked);
      else tracker.head(tracked);
      if (closed) return;
      if (goneWatch !== null) await goneWatch;
      goneWatch = null;
      requestLine = "-";
      let headBytes: Uint8Array | null;
      try {
        headBytes = await reader.readHead(options.maxHeadBytes);
      } catch (err) {
        if (err instanceof HeadTooLargeError && !closed) {
          requestLine = requestLineOf(err.partial.subarray(0, 200));
          await refuse(isRequestLineUnfinished(err.partial) ? 414 : 431);
        }
        return;
      }
      if (headBytes === null || closed) return;
      // One deadline from here on: parsing is synchronous, so the sweep
      // cannot tell a phase that ended before the next await.
      tracker.busy(tracked);
      // The request line as text only for a log that prints it: most
      // servers run with -q, and a refusal below decodes it then.
      if (logLines) requestLine = requestLineOf(headBytes);
      let head: RequestHead;
      let req: HttpRequest;
      try {
        head = parseRequestHead(headBytes);
        if (isVerbose()) {
          const parts = requestLine.split(" ")
            .map((p) => `'${escapeLogField(p)}'`).join(", ");
          logDebug(`${peer} | Parsing [${parts}]`);
        }
        const target = parseRequestTarget(head.target, head.method);
        const maxBodyBytes = options.bodyLimit?.(head.method, target.path) ??
          options.maxBodyBytes;
        const framing = requestBodyFraming(
          head.headers,
          head.version,
          maxBodyBytes,
        );
        const sendContinue = expectsContinue(
          head.headers,
          framing,
          head.version,
        );
        const body = framing.kind === "none"
          ? RequestBody.none()
          : new RequestBody(reader, framing, {
            maxBytes: maxBodyBytes,
            timeoutMs: bodyTimeoutMs,
            sendContinue,
            sink: conn,
            onWait: onBodyWait,
            onProgress: onBodyProgress,
          });
        currentBody = body;
        req = {
          method: head.method,
          target: head.target,
          version: head.version,
          headers: head.headers,
          path: target.path,
          rawPath: target.rawPath,
          query: target.query,
          host: target.authority ?? head.headers.get("host") ?? local.hostname,
          remoteAddr: remote.hostname,
          remotePort: remote.port,
          localPort: local.port,
          body,
          progress: onProgress,
          peer,
          clientGone: currentClientGone,
        };
      } catch (err) {
        if (err instanceof HttpError && !closed) {
          // Nothing was read since: the view of the head is still valid.
          requestLine = requestLineOf(headBytes);
          logDebug(`${peer} | Refused: ${err.message}`);
          await refuse(err.status, err.headers);
        } else if (
          !(err instanceof HttpError) && !(err instanceof ProtocolError) &&
          !isDisconnect(err)
        ) {
          throw err;
        }
        return;
      }
      const connection = req.headers.get("connection");
      const keepAlive = !options.oneRequest && !tracker.shuttingDown &&
        (req.version === "HTTP/1.1"
          ? !hasToken(connection, "close")
          : hasToken(connection, "keep-alive"));
      const res = new ConnResponseWriter(
        conn,
        { method: req.method, version: req.version, keepAlive },
        onProgress,
      );
      response = res;
      try {
        await options.handler(req, res);
        if (!res.headSent) await sendErrorPage(res, 500);
      } catch (err) {
        if (closed) return;
        if (err instanceof HttpError) {
          // The body was refused (413, 400) or came too slowly (408).
          logDebug(`${peer} | Refused: ${err.message}`);
          if (res.headSent) res.abort();
          else {
            res.closeConnection();
            await sendErrorPage(res, err.status, { headers: [...err.headers] });
          }
        } else if (isDisconnect(err) || err instanceof ProtocolError) {
          // The client left, in the middle of its body or of the answer.
          return;
        } else {
          logError(
            `${peer} | ${req.method} ${escapeLogField(req.target)}: ${
              errorText(err)
            }`,
          );
          if (res.headSent) return;
          res.closeConnection();
          await sendErrorPage(res, 500);
        }
      }
      if (options.accessLog) {
        logAccess(formatAccessLine({
          remoteAddr: req.remoteAddr,
          requestLine,
          status: res.status,
          bytes: res.bodyBytes,
          user: req.remoteUser,
          referer: req.headers.get("referer"),
          userAgent: req.headers.get("user-agent"),
        }));
      }
      if (isVerbose()) logDebug(`${peer} | Finish`);
      // A small rest of the body is dropped so the connection can go on;
      // a larger one (or a broken one) ends it.
      let bodyDone = req.body.complete;
      if (!bodyDone && res.keepAlive && !closed && !req.body.failed) {
        try {
          bodyDone = await req.body.discard(DISCARD_LIMIT);
        } catch {
          bodyDone = false;
        }
      }
      req.body.close();
      // An idle keep-alive connection holds nothing of the request it
      // served: the closures above would otherwise keep its response, and
      // through it the request's head, alive until the next request.
      response = null;
      currentBody = RequestBody.none();
      if (!bodyDone) {
        // After a failed read the reader may be mid-read: just close.
        linger = !req.body.failed;
        return;
      }
      if (!res.keepAlive || closed) return;
    }
  } catch (err) {
    if (!isDisconnect(err) && !closed) {
      logError(`${peer} | Connection failed: ${errorText(err)}`);
    }
  } finally {
    closed = true;
    tracker.remove(tracked);
    if (timeoutAnswer === null) {
      if (linger) await lingerAndClose(conn, reader);
      else closeQuietly(conn);
    }
  }
}

/** A one-line description of an error for the log. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
