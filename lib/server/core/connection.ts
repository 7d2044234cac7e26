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
  isRepeatedHead,
  isRequestLineUnfinished,
  parseRequestHead,
} from "../../http/request_head.ts";
import { parseRequestTarget } from "../../http/request_target.ts";
import {
  joinHeadAndBody,
  serializeResponseHead,
} from "../../http/response_head.ts";
import { isVerbose, logAccess, logDebug, logError } from "../../common/log.ts";
import { closeQuietly, writeAll } from "../../common/net.ts";
import { escapeLogField, formatAccessLine } from "./access_log.ts";
import type {
  ConnectionTracker,
  TrackedConnection,
} from "./connection_tracker.ts";
import { renderErrorPage, sendErrorPage } from "./error_page.ts";
import type { HttpRequest } from "./request.ts";
import { DEFAULT_CONFIG } from "./config.ts";
import {
  DISCARD_LIMIT,
  expectsContinue,
  RequestBody,
  requestBodyFraming,
} from "./request_body.ts";
import type { PreparedResponse } from "./prepared_response.ts";
import {
  ConnResponseWriter,
  type PreparedBytes,
  preparedBytes,
  type ResponseWriter,
  SERVER_SOFTWARE,
} from "./response_writer.ts";

/**
 * Answers one request. Errors it throws become a 500 page (or a close).
 * A handler may also tell, without waiting, which prepared response
 * answers a request it has ready in memory (a cached hit): the connection
 * then writes those bytes itself, with no response writer and no async
 * call, and the handler is not called for that request.
 */
export interface RequestHandler {
  (req: HttpRequest, res: ResponseWriter): Promise<void>;
  /**
   * The whole answer to `req` (a bodyless request) when it is ready in
   * memory, else null; never waits. An error it throws leaves the request
   * to the handler, which meets it again and answers 500.
   */
  ready?: (req: HttpRequest) => PreparedResponse | null;
}

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

/**
 * Serves every request on `conn`, then closes it; resolves once it is
 * closed. Never rejects.
 */
export function serveConnection(
  conn: Deno.Conn,
  options: ConnectionOptions,
): Promise<void> {
  return new Promise((resolve) => new Connection(conn, options, resolve));
}

/**
 * Serves every request on `conn`, then closes it, with nothing to wait
 * for: an idle connection then holds no promise of its own.
 */
export function startConnection(
  conn: Deno.Conn,
  options: ConnectionOptions,
): void {
  new Connection(conn, options, null);
}

/** What a request body tells its connection. */
interface BodyHooks {
  onWait: () => void;
  onProgress: () => void;
}

/**
 * The state of one connection. Waiting for a head, it is held only by the
 * read's callbacks and the tracker: no async frame of its own, and one
 * object with a few callbacks instead of a closure per task, because an
 * idle keep-alive connection costs what it keeps while it waits. Each
 * request is served by a call of its own, whose frame ends with the
 * request, so nothing of it outlives it.
 */
class Connection {
  readonly #conn: Deno.Conn;
  readonly #options: ConnectionOptions;
  readonly #tracked: TrackedConnection;
  readonly #reader: BufferedReader;
  readonly #peer: string;
  #onClosed: (() => void) | null;
  #closed = false;
  #finished = false;
  // A 408 being written by the sweep; it closes the connection when done.
  #timeoutAnswer: Promise<void> | null = null;
  #requestLine = "-";
  // The response of the request whose body is being read.
  #response: ConnResponseWriter | null = null;
  // The body of the request being served, which clientGone asks about.
  #body: RequestBody | null = null;
  // True when the client may still be sending a body nobody read.
  #linger = false;
  // HttpRequest.clientGone: one background read, settled before the next
  // head is read so two reads never overlap; its bytes stay buffered.
  #goneWatch: Promise<unknown> | null = null;
  // Made on the first request with a body: most connections have none.
  #bodyHooks: BodyHooks | null = null;
  // The callbacks of the connection, made in the constructor so that they
  // share one context.
  readonly #onProgress: () => void;
  readonly #clientGone: () => AbortSignal;
  readonly #onRead: (n: number | null) => void;
  readonly #onHeadFailed: (err: unknown) => void;
  readonly #onReadyWritten: (n: number) => void;
  readonly #onReadyFailed: (err: unknown) => void;
  // The request whose ready answer is being written, and what of it.
  #readyRequest: HttpRequest | null = null;
  #readyBytes: PreparedBytes | null = null;
  #readyOffset = 0;
  #readyStatus = 0;
  #readyKeepAlive = false;
  // The last request answered ready, which nothing but the ready path
  // saw: a client that sends the same head again gets it again (the parser
  // then hands back the same head, and with it the same header map).
  #readyParsed: HttpRequest | null = null;

  constructor(
    conn: Deno.Conn,
    options: ConnectionOptions,
    onClosed: (() => void) | null,
  ) {
    try {
      if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    } catch {
      // Not a TCP socket (e.g. a Unix socket in a test): nothing to tune.
    }
    this.#conn = conn;
    this.#options = options;
    this.#onClosed = onClosed;
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.#peer = `${remote.hostname}:${remote.port}`;
    const { tracker } = options;
    this.#tracked = tracker.add((timedOutInHead) =>
      this.#expire(timedOutInHead)
    );
    if (isVerbose()) {
      logDebug(`${this.#peer} | Accepted by process ${Deno.pid}`);
    }
    // The header timeout runs from the first byte of a head, and is not
    // extended by later bytes (slowloris).
    this.#reader = new BufferedReader(conn, READ_BUFFER_BYTES, () => {
      if (this.#tracked.phase === "idle") tracker.head(this.#tracked);
    }, IDLE_READ_BUFFER_BYTES);
    this.#onProgress = () => tracker.progress(this.#tracked);
    this.#clientGone = () => this.#watchClientGone();
    this.#onRead = (n) => this.#headBytesRead(n);
    this.#onHeadFailed = (err) => this.#headFailed(err);
    this.#onReadyWritten = (n) => this.#readyWritten(n);
    this.#onReadyFailed = (err) => this.#readyFailed(err);
    // A new connection keeps the header deadline `add` gave it.
    if (tracker.shuttingDown) this.#finish();
    else this.#readHead();
  }

  /** Reading a head failed: a head too large is refused, else close. */
  #headFailed(err: unknown): void {
    if (err instanceof HeadTooLargeError && !this.#closed) {
      this.#requestLine = requestLineOf(err.partial.subarray(0, 200));
      this.#refuseAndFinish(isRequestLineUnfinished(err.partial) ? 414 : 431);
    } else this.#finish();
  }

  /** The tracker's deadline passed: close, with a 408 in a head. */
  #expire(timedOutInHead: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    const conn = this.#conn;
    if (!timedOutInHead) {
      closeQuietly(conn);
      return;
    }
    logDebug(`${this.#peer} | Header timeout`);
    const { bytes, bodyBytes } = standaloneErrorResponse(408);
    this.#timeoutAnswer = writeAll(conn, bytes).then(
      () => this.#logRefusal(408, bodyBytes),
      () => {/* the client is gone too */},
    ).finally(() => closeQuietly(conn));
  }

  /** Waits for the next head; between requests the idle timeout applies. */
  #next(): void {
    const { tracker } = this.#options;
    // The idle timeout applies until a byte arrives.
    if (this.#reader.buffered === 0) tracker.idle(this.#tracked);
    else tracker.head(this.#tracked);
    if (this.#closed) this.#finish();
    else if (this.#goneWatch !== null) this.#readHeadAfterGoneWatch();
    else this.#readHead();
  }

  /** Reads the next head once the clientGone read has settled. */
  async #readHeadAfterGoneWatch(): Promise<void> {
    try {
      await this.#goneWatch;
    } catch {
      // Its handlers abort the signal; a listener's error is not ours.
    }
    this.#goneWatch = null;
    if (this.#closed) this.#finish();
    else this.#readHead();
  }

  /**
   * Serves the next head if it is buffered, else reads the socket for it
   * with callbacks, not an await: a connection waiting for its next
   * request holds no suspended frame, not even the reader's.
   */
  #readHead(): void {
    this.#requestLine = "-";
    // The head answered ready last, sent again and alone (a poller, a
    // benchmark): recognized in one comparison, without searching for its
    // end or parsing it. A log that prints the request line takes the
    // usual way, which decodes it.
    const reusable = this.#readyParsed;
    if (
      reusable !== null && !this.#options.accessLog && !isVerbose() &&
      this.#reader.takeWholeIf(isRepeatedHead, reusable.headers)
    ) {
      this.#body = reusable.body;
      this.#answer(reusable);
      return;
    }
    let head: Uint8Array | null;
    try {
      head = this.#reader.takeHead(this.#options.maxHeadBytes);
    } catch (err) {
      this.#headFailed(err);
      return;
    }
    if (head !== null) {
      this.#serve(head);
      return;
    }
    this.#conn.read(this.#reader.headSpare()).then(
      this.#onRead,
      this.#onHeadFailed,
    );
  }

  /** A read for a head returned `n`: take the head, or read on, or close. */
  #headBytesRead(n: number | null): void {
    let more: boolean;
    try {
      more = this.#reader.headRead(n);
    } catch (err) {
      this.#headFailed(err); // the connection ended in the middle of a head
      return;
    }
    if (!more || this.#closed) this.#finish();
    else this.#readHead();
  }

  /**
   * Answers the request of `headBytes`, or refuses a head it cannot
   * parse and closes. Never throws.
   */
  #serve(headBytes: Uint8Array): void {
    // The request line as text only for a log that prints it: most
    // servers run with -q, and a refusal below decodes it then.
    if (this.#options.accessLog || isVerbose()) {
      this.#requestLine = requestLineOf(headBytes);
    }
    let req: HttpRequest;
    try {
      req = this.#parse(headBytes);
    } catch (err) {
      this.#options.tracker.busy(this.#tracked);
      this.#refuseHead(err, headBytes);
      return;
    }
    this.#answer(req);
  }

  /**
   * Answers `req`, then waits for the next head or closes: the handler's
   * ready answer when it has one, else the handler's. Never throws.
   */
  #answer(req: HttpRequest): void {
    const options = this.#options;
    const { tracker } = options;
    // One deadline from here on, until the answer is written.
    tracker.busy(this.#tracked);
    const verbose = isVerbose();
    const connection = req.headers.get("connection");
    const keepAlive = !options.oneRequest && !tracker.shuttingDown &&
      (req.version === "HTTP/1.1"
        ? !hasToken(connection, "close")
        : hasToken(connection, "keep-alive"));
    const ready = options.handler.ready;
    // A verbose server takes the handler's way, which says what it does.
    if (ready !== undefined && req.body.complete && !verbose) {
      let prepared: PreparedResponse | null = null;
      try {
        prepared = ready(req);
      } catch {
        // The handler meets the same error and answers it.
      }
      if (prepared !== null) {
        this.#sendReady(req, prepared, keepAlive);
        return;
      }
    }
    // The handler may add to the request (remoteUser): not reused.
    this.#readyParsed = null;
    this.#handle(req, keepAlive);
  }

  /**
   * Writes a ready answer with the socket's own promise and prebound
   * callbacks: no response writer, no async frame.
   */
  #sendReady(
    req: HttpRequest,
    prepared: PreparedResponse,
    keepAlive: boolean,
  ): void {
    const out = preparedBytes(prepared, req.method, keepAlive);
    this.#readyRequest = req;
    this.#readyBytes = out;
    this.#readyOffset = 0;
    this.#readyStatus = prepared.status;
    this.#readyKeepAlive = keepAlive;
    this.#conn.write(out.bytes).then(this.#onReadyWritten, this.#onReadyFailed);
  }

  /** `n` bytes of the ready answer went out: write the rest, or go on. */
  #readyWritten(n: number): void {
    const out = this.#readyBytes!;
    this.#readyOffset += n;
    if (this.#readyOffset < out.bytes.length) {
      // A slow reader: the send timeout runs from this progress.
      this.#options.tracker.progress(this.#tracked);
      // The bytes are shared (the prepared response's): a view of the rest.
      this.#conn.write(out.bytes.subarray(this.#readyOffset)).then(
        this.#onReadyWritten,
        this.#onReadyFailed,
      );
      return;
    }
    const req = this.#readyRequest!;
    this.#readyRequest = null;
    this.#readyBytes = null;
    // No progress to report: the next phase (or the close) follows now.
    this.#logAnswered(req, this.#readyStatus, out.bodyBytes);
    if (this.#readyKeepAlive && !this.#closed) this.#next();
    else this.#finish();
  }

  /** The ready answer could not be written: the connection ends. */
  #readyFailed(err: unknown): void {
    this.#readyRequest = null;
    this.#readyBytes = null;
    if (!isDisconnect(err) && !this.#closed) {
      logError(`${this.#peer} | Connection failed: ${errorText(err)}`);
    }
    this.#finish();
  }

  /** Refuses a head that did not parse, then closes. Never rejects. */
  async #refuseHead(err: unknown, headBytes: Uint8Array): Promise<void> {
    try {
      if (err instanceof HttpError && !this.#closed) {
        // Nothing was read since: the view of the head is still valid.
        this.#requestLine = requestLineOf(headBytes);
        logDebug(`${this.#peer} | Refused: ${err.message}`);
        await this.#refuse(err.status, err.headers);
      } else if (
        !(err instanceof HttpError) && !(err instanceof ProtocolError) &&
        !isDisconnect(err)
      ) {
        throw err;
      }
    } catch (failure) {
      if (!isDisconnect(failure) && !this.#closed) {
        logError(`${this.#peer} | Connection failed: ${errorText(failure)}`);
      }
    } finally {
      this.#finish();
    }
  }

  /**
   * Lets the handler answer `req`, then drops what it left of the body
   * and waits for the next head or closes. Never rejects.
   */
  async #handle(req: HttpRequest, keepAlive: boolean): Promise<void> {
    const options = this.#options;
    const peer = this.#peer;
    let more = false;
    try {
      const res = new ConnResponseWriter(
        this.#conn,
        { method: req.method, version: req.version, keepAlive },
        this.#onProgress,
      );
      this.#response = res;
      try {
        await options.handler(req, res);
        if (!res.headSent) await sendErrorPage(res, 500);
      } catch (err) {
        if (this.#closed) return;
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
      this.#logAnswered(req, res.status, res.bodyBytes);
      // A small rest of the body is dropped so the connection can go on;
      // a larger one (or a broken one) ends it.
      let bodyDone = req.body.complete;
      if (!bodyDone && res.keepAlive && !this.#closed && !req.body.failed) {
        try {
          bodyDone = await req.body.discard(DISCARD_LIMIT);
        } catch {
          bodyDone = false;
        }
      }
      req.body.close();
      // An idle keep-alive connection holds nothing of the request it
      // served: the callbacks would otherwise keep its response, and
      // through it the request's head, alive until the next request.
      this.#response = null;
      this.#body = null;
      if (!bodyDone) {
        // After a failed read the reader may be mid-read: just close.
        this.#linger = !req.body.failed;
        return;
      }
      more = res.keepAlive && !this.#closed;
    } catch (err) {
      if (!isDisconnect(err) && !this.#closed) {
        logError(`${peer} | Connection failed: ${errorText(err)}`);
      }
    } finally {
      if (more) this.#next();
      else this.#finish();
    }
  }

  /** Writes the access-log line of an answered request, when logging. */
  #logAnswered(req: HttpRequest, status: number, bodyBytes: number): void {
    if (this.#options.accessLog) {
      logAccess(formatAccessLine({
        remoteAddr: req.remoteAddr,
        requestLine: this.#requestLine,
        status,
        bytes: bodyBytes,
        user: req.remoteUser,
        referer: req.headers.get("referer"),
        userAgent: req.headers.get("user-agent"),
      }));
    }
    if (isVerbose()) logDebug(`${this.#peer} | Finish`);
  }

  /**
   * The request of a head, with its body still unread.
   *
   * @throws {HttpError} for a head to refuse.
   */
  #parse(headBytes: Uint8Array): HttpRequest {
    const options = this.#options;
    const head = parseRequestHead(headBytes);
    if (isVerbose()) {
      const parts = this.#requestLine.split(" ")
        .map((p) => `'${escapeLogField(p)}'`).join(", ");
      logDebug(`${this.#peer} | Parsing [${parts}]`);
    }
    // All that follows depends on the head and the connection alone.
    const reusable = this.#readyParsed;
    if (reusable !== null && reusable.headers === head.headers) {
      this.#body = reusable.body;
      return reusable;
    }
    const target = parseRequestTarget(head.target, head.method);
    const maxBodyBytes = options.bodyLimit?.(head.method, target.path) ??
      options.maxBodyBytes;
    const framing = requestBodyFraming(
      head.headers,
      head.version,
      maxBodyBytes,
    );
    // Throws for an expectation it does not know, body or not (417).
    const sendContinue = expectsContinue(head.headers, framing, head.version);
    let body: RequestBody;
    if (framing.kind === "none") body = RequestBody.none();
    else {
      const hooks = this.#bodyHooks ??= this.#makeBodyHooks();
      body = new RequestBody(this.#reader, framing, {
        maxBytes: maxBodyBytes,
        timeoutMs: options.bodyTimeoutMs ?? DEFAULT_CONFIG.bodyTimeoutMs,
        sendContinue,
        sink: this.#conn,
        onWait: hooks.onWait,
        onProgress: hooks.onProgress,
      });
    }
    this.#body = body;
    const remote = this.#conn.remoteAddr as Deno.NetAddr;
    const local = this.#conn.localAddr as Deno.NetAddr;
    const req: HttpRequest = {
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
      progress: this.#onProgress,
      peer: this.#peer,
      clientGone: this.#clientGone,
    };
    this.#readyParsed = framing.kind === "none" ? req : null;
    return req;
  }

  /** The callbacks of a request body, which report to the tracker. */
  #makeBodyHooks(): BodyHooks {
    const { tracker } = this.#options;
    return {
      // While a body waits for the client its own deadline applies, which
      // answers 408; the tracker's send timeout would close without a word.
      onWait: () => tracker.suspend(this.#tracked),
      onProgress: () => {
        tracker.progress(this.#tracked);
        // Shutdown began while the body came in: the answer closes.
        if (tracker.shuttingDown) this.#response?.closeConnection();
      },
    };
  }

  /** HttpRequest.clientGone for the request being served. */
  #watchClientGone(): AbortSignal {
    const gone = new AbortController();
    const body = this.#body;
    if (this.#closed) gone.abort();
    else if (
      (body === null || body.complete) && this.#goneWatch === null &&
      this.#reader.buffered === 0
    ) {
      this.#goneWatch = this.#reader.fill().then(
        (more) => more || gone.abort(),
        () => gone.abort(),
      );
    }
    return gone.signal;
  }

  /** Answers with an error page that needs no parsed request. */
  async #refuse(
    status: number,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): Promise<void> {
    const headOnly = this.#requestLine.startsWith("HEAD ");
    const { bytes, bodyBytes } = standaloneErrorResponse(
      status,
      headers,
      headOnly,
    );
    await writeAll(this.#conn, bytes);
    this.#logRefusal(status, bodyBytes);
  }

  /** {@linkcode Connection.refuse}, then close. Never rejects. */
  async #refuseAndFinish(status: number): Promise<void> {
    try {
      await this.#refuse(status);
    } catch (err) {
      if (!isDisconnect(err) && !this.#closed) {
        logError(`${this.#peer} | Connection failed: ${errorText(err)}`);
      }
    } finally {
      this.#finish();
    }
  }

  #logRefusal(status: number, bodyBytes: number): void {
    if (!this.#options.accessLog) return;
    logAccess(formatAccessLine({
      remoteAddr: (this.#conn.remoteAddr as Deno.NetAddr).hostname,
      requestLine: this.#requestLine,
      status,
      bytes: bodyBytes,
    }));
  }

  /** Stops tracking the connection and closes it, once. Never rejects. */
  async #finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#closed = true;
    this.#options.tracker.remove(this.#tracked);
    if (this.#timeoutAnswer === null) {
      if (this.#linger) await lingerAndClose(this.#conn, this.#reader);
      else closeQuietly(this.#conn);
    }
    this.#onClosed?.();
    this.#onClosed = null;
  }
}

/** A one-line description of an error for the log. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
