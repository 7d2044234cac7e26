/**
 * One client connection of a load run: opening it (TCP, then TLS when the
 * URL is https), sending a prepared request in one write, and reading one
 * complete response through a reused buffer.
 *
 * @module
 */

import {
  type BodySink,
  readChunkedBody,
  readFixedBody,
  readToEnd,
} from "../http/body.ts";
import { BufferedReader } from "../http/buffered_reader.ts";
import { ProtocolError } from "../http/errors.ts";
import {
  newResponseFraming,
  parseResponseHead,
  responseFraming,
  type ResponseHead,
  scanResponseHead,
} from "../http/response_parse.ts";

/** Largest response head accepted. */
export const MAX_RESPONSE_HEAD_BYTES = 65536;

/** Where a connection attempt failed. */
export type ConnectPhase = "dns" | "connect" | "tls";

/** A connection attempt that failed, with the phase it failed in. */
export class ConnectError extends Error {
  /** `dns`, `connect` or `tls`. */
  readonly phase: ConnectPhase;
  /** A stable identifier: `DNS_FAILED`, `CONNECT_FAILED`, `TLS_FAILED`. */
  readonly code: string;

  /** Wraps `cause`, raised while in `phase`. */
  constructor(phase: ConnectPhase, cause: unknown) {
    const text = cause instanceof Error ? cause.message : String(cause);
    // rustls says only `invalid peer certificate: UnknownIssuer`.
    super(
      phase === "tls" && text.startsWith("invalid peer certificate")
        ? `${text} (${UNTRUSTED_HINT})`
        : text,
      { cause },
    );
    this.name = "ConnectError";
    this.phase = phase;
    this.code = `${phase.toUpperCase()}_FAILED`;
  }
}

/** Where and how to connect. */
export interface ConnectTarget {
  /** An IP address, or a name for the system resolver. */
  hostname: string;
  /** The port. */
  port: number;
  /** Wrap the connection in TLS. */
  tls: boolean;
  /** The name to verify the certificate against (and send as SNI). */
  serverName: string;
  /** Certificates (PEM) trusted besides the system's roots (`--cacert`). */
  caCerts?: string[];
}

/** What an untrusted certificate's error gets added: the way out. */
export const UNTRUSTED_HINT =
  "the server's certificate is not trusted: use --cacert FILE or -k";

/**
 * Opens a TCP connection with Nagle off (a request is one write; waiting
 * for more would cost a delayed-ACK round per request), then TLS over it
 * when asked. TLS goes over an already connected socket so that the
 * address resolved once is used while the certificate is checked against
 * the URL's host.
 *
 * @throws {ConnectError} naming the phase that failed.
 */
export async function openConnection(
  target: ConnectTarget,
): Promise<ClientConnection> {
  let tcp: Deno.TcpConn;
  const began = performance.now();
  try {
    tcp = await Deno.connect({ hostname: target.hostname, port: target.port });
  } catch (err) {
    const lookup = err instanceof Error &&
      err.message.startsWith("failed to lookup address");
    throw new ConnectError(lookup ? "dns" : "connect", err);
  }
  const connected = performance.now();
  tcp.setNoDelay(true);
  if (!target.tls) return new ClientConnection(tcp, false, connected - began);
  try {
    const tls = await Deno.startTls(tcp, {
      hostname: target.serverName,
      caCerts: target.caCerts ?? [],
    });
    await tls.handshake();
    const tlsMs = performance.now() - connected;
    return new ClientConnection(tls, true, connected - began, tlsMs);
  } catch (err) {
    try {
      tcp.close();
    } catch { /* already closed by the failed handshake */ }
    throw new ConnectError("tls", err);
  }
}

/**
 * Receives a response being dumped: its head, then its body in pieces.
 * Nothing more is read until a promise either returns has settled, which
 * is how a slow output holds the reading back.
 */
export interface ResponseSink {
  /** The final response head: raw bytes (valid during the call) and parsed. */
  head(raw: Uint8Array, parsed: ResponseHead): void | Promise<void>;
  /** A piece of the body (valid during the call). */
  body: BodySink;
}

/** The outcome of one exchange, written into a reused record. */
export interface ExchangeResult {
  /** Status of the final response. */
  status: number;
  /** Bytes the response took on the wire: interim heads, head, body, framing. */
  bytes: number;
  /** True when the connection may carry another request. */
  keepAlive: boolean;
  /**
   * `performance.now()` when the final response head had arrived, or 0 when
   * it came in the same read as the whole response (the response's end
   * time then stands for it).
   */
  headAt: number;
}

// Buffered bytes past which takeResponse stops rescanning an unfinished head.
const RESCAN_LIMIT = 4096;

/** What {@linkcode ClientConnection.takeResponse} did. */
export type TakeOutcome = 0 | 1 | 2;
/** A whole response was taken from the buffer. */
export const TAKEN = 0;
/** The head is incomplete: read more bytes and try again. */
export const NEED_BYTES = 1;
/** Leave this response to {@linkcode ClientConnection.readResponse}. */
export const USE_READER = 2;

const discard: BodySink = () => {};

const HTTP_SLASH = [72, 84, 84, 80, 47];

/**
 * A head cut short by the end of the connection is a read failure if it
 * was the start of an HTTP response, and a protocol failure if it was
 * something else entirely.
 */
function notHttp(err: unknown, reader: BufferedReader): ProtocolError | null {
  if (!(err instanceof ProtocolError) || err.code !== "INCOMPLETE_HEAD") {
    return null;
  }
  const start = reader.takeBuffered(HTTP_SLASH.length);
  for (let i = 0; i < start.length; i++) {
    if (start[i] !== HTTP_SLASH[i]) {
      return new ProtocolError("BAD_STATUS_LINE", "Response is not HTTP");
    }
  }
  return null;
}

/** A client connection whose reads are counted and buffered. */
export class ClientConnection {
  /** The socket. */
  readonly conn: Deno.Conn;
  /** True when `conn` is TLS. */
  readonly isTls: boolean;
  /** Buffers response bytes; reused for every response on this connection. */
  readonly reader: BufferedReader;
  /** Complete responses read so far. */
  responses = 0;
  /** True while the body of a response is being read (past its head). */
  inBody = false;
  /** Time the TCP connect took, in ms (0 when not opened by thor). */
  readonly connectMs: number;
  /** Time the TLS handshake took, in ms (0 without TLS). */
  readonly tlsMs: number;
  #closed = false;
  readonly #framing = newResponseFraming();

  /** Wraps an open socket; the times are those of its opening. */
  constructor(conn: Deno.Conn, isTls: boolean, connectMs = 0, tlsMs = 0) {
    this.conn = conn;
    this.isTls = isTls;
    this.connectMs = connectMs;
    this.tlsMs = tlsMs;
    // The reader reads the socket itself and counts the bytes: a counting
    // wrapper would cost an extra async call per read.
    this.reader = new BufferedReader(conn, 16384);
  }

  /** Every byte read from the socket so far. */
  get received(): number {
    return this.reader.bytesRead;
  }

  /** Bytes received and handed out by the reader so far. */
  get consumed(): number {
    return this.reader.bytesRead - this.reader.buffered;
  }

  /**
   * Reads one complete response to a `method` request into `result`,
   * skipping interim 1xx responses. Body bytes go to `sink` when dumping
   * (as they arrive) and through `scratch` otherwise.
   *
   * @throws {ProtocolError} for a response that is not HTTP, is framed
   * wrongly, or ends early (`UNEXPECTED_EOF`, `INCOMPLETE_HEAD`,
   * `CONNECTION_CLOSED`).
   */
  async readResponse(
    method: string,
    scratch: Uint8Array,
    result: ExchangeResult,
    sink: ResponseSink | null = null,
  ): Promise<void> {
    const start = this.consumed;
    const reader = this.reader;
    const framing = this.#framing;
    for (;;) {
      let head: Uint8Array | null;
      try {
        head = await reader.readHead(MAX_RESPONSE_HEAD_BYTES);
      } catch (err) {
        throw notHttp(err, reader) ?? err;
      }
      if (head === null) {
        throw new ProtocolError(
          "CONNECTION_CLOSED",
          "Connection closed before a response arrived",
        );
      }
      if (sink === null) {
        if (scanResponseHead(head, method, framing) < 0) {
          throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
        }
      } else {
        const parsed = parseResponseHead(head);
        responseFraming(parsed, method, framing);
        if (framing.status >= 200) await sink.head(head, parsed);
      }
      if (framing.status >= 200) break;
      if (framing.status === 101) {
        throw new ProtocolError(
          "UNEXPECTED_UPGRADE",
          "Server switched protocols without being asked",
        );
      }
    }
    result.headAt = performance.now();
    const bodySink = sink === null ? discard : sink.body;
    this.inBody = true;
    switch (framing.body) {
      case "length": {
        // A discarded body that already arrived is dropped in place: no
        // copy, no await.
        const left = framing.length -
          (sink === null ? reader.skip(framing.length) : 0);
        if (left > 0) await readFixedBody(reader, left, bodySink, scratch);
        break;
      }
      case "chunked":
        await readChunkedBody(reader, bodySink, Infinity, scratch);
        break;
      case "close":
        await readToEnd(reader, bodySink, scratch);
        break;
    }
    this.inBody = false;
    result.status = framing.status;
    result.keepAlive = framing.keepAlive;
    result.bytes = this.consumed - start;
    this.responses++;
  }

  /**
   * Takes one complete response from the bytes already buffered, without
   * reading the socket or awaiting anything: the common case of a small
   * `Content-Length` response that arrived in one read. Returns
   * {@linkcode TAKEN} with `result` filled in, {@linkcode NEED_BYTES} when
   * the head is not all there yet (nothing consumed: fill and call again),
   * or {@linkcode USE_READER} when the response needs the general
   * {@linkcode readResponse} (an interim or chunked response, a body still
   * on its way, a head not valid or over a few KiB), again with nothing
   * consumed: the general path raises a bad head's error.
   */
  takeResponse(method: string, result: ExchangeResult): TakeOutcome {
    const reader = this.reader;
    const buffered = reader.buffered;
    if (buffered === 0) return NEED_BYTES;
    const view = reader.peek();
    // Blank lines before a head are the reader's to skip.
    if (view[0] === 13 || view[0] === 10) return USE_READER;
    const framing = this.#framing;
    let end: number;
    try {
      end = scanResponseHead(view, method, framing);
    } catch {
      // The general path reads the whole head and raises its error then.
      return USE_READER;
    }
    // Each call scans from the start, so a head still incomplete after a
    // few KiB goes to the reader, whose search goes on where it stopped.
    if (end < 0) return buffered >= RESCAN_LIMIT ? USE_READER : NEED_BYTES;
    if (framing.status < 200) return USE_READER;
    let size = end;
    if (framing.body === "length") size += framing.length;
    else if (framing.body !== "none") return USE_READER;
    if (size > buffered) return USE_READER;
    reader.skip(size);
    // Head and body came in the same read: the caller's end time stands
    // for the head's arrival, and a clock read is saved.
    result.headAt = 0;
    result.status = framing.status;
    result.keepAlive = framing.keepAlive;
    result.bytes = size;
    this.responses++;
    return TAKEN;
  }

  /** True once {@linkcode close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the socket; pending reads and writes reject. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}
