/**
 * One client connection: read a request head, parse it, read its body,
 * hand it to the request handler, log it, and loop for keep-alive and
 * pipelined requests until either side closes or a deadline passes.
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
  writeAll,
} from "../../http/response_head.ts";
import { isVerbose, logAccess, logDebug, logError } from "../../common/log.ts";
import { escapeLogField, formatAccessLine } from "./access_log.ts";
import type { ConnectionTracker } from "./connection_tracker.ts";
import { renderErrorPage, sendErrorPage } from "./error_page.ts";
import type { HttpRequest } from "./request.ts";
import { readRequestBody, requestBodyFraming } from "./request_body.ts";
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

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
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
  const reader = new BufferedReader(conn, 8192, () => {
    if (tracked.phase === "idle") tracker.head(tracked);
  });
  const onProgress = () => tracker.progress(tracked);

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
      tracker.busy(tracked, "body");
      let head: RequestHead;
      let req: HttpRequest;
      try {
        requestLine = requestLineOf(headBytes);
        head = parseRequestHead(headBytes);
        if (isVerbose()) {
          const parts = requestLine.split(" ")
            .map((p) => `'${escapeLogField(p)}'`).join(", ");
          logDebug(`${peer} | Parsing [${parts}]`);
        }
        const target = parseRequestTarget(head.target, head.method);
        const framing = requestBodyFraming(
          head.headers,
          head.version,
          options.maxBodyBytes,
        );
        const body = await readRequestBody(
          reader,
          conn,
          head.headers,
          framing,
          head.version,
          options.maxBodyBytes,
          onProgress,
        );
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
          peer,
        };
      } catch (err) {
        if (err instanceof HttpError && !closed) {
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
      tracker.busy(tracked);
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
      try {
        await options.handler(req, res);
        if (!res.headSent) await sendErrorPage(res, 500);
      } catch (err) {
        if (isDisconnect(err) || closed) return;
        logError(
          `${peer} | ${req.method} ${escapeLogField(req.target)}: ${
            errorText(err)
          }`,
        );
        if (res.headSent) return;
        res.closeConnection();
        await sendErrorPage(res, 500);
      }
      if (options.accessLog) {
        logAccess(formatAccessLine({
          remoteAddr: req.remoteAddr,
          requestLine,
          status: res.status,
          bytes: res.bodyBytes,
          referer: req.headers.get("referer"),
          userAgent: req.headers.get("user-agent"),
        }));
      }
      if (isVerbose()) logDebug(`${peer} | Finish`);
      if (!res.keepAlive || closed) return;
    }
  } catch (err) {
    if (!isDisconnect(err) && !closed) {
      logError(`${peer} | Connection failed: ${errorText(err)}`);
    }
  } finally {
    closed = true;
    tracker.remove(tracked);
    if (timeoutAnswer === null) closeQuietly(conn);
  }
}

/** A one-line description of an error for the log. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
