/**
 * Request bodies (RFC 9112 section 6.3): how one is framed, and the body
 * itself as a stream the handler pulls from the connection. Nothing holds
 * a body whole: each piece is a view of the connection's read buffer,
 * valid until the next read, so what bodies cost in memory is bounded by
 * the connections, not by their sizes. A body that the handler does not
 * want is discarded if small, or left unread and the connection closed.
 * `100 Continue` is sent only when the body is really read; a client that
 * sends too slowly gets 408 (see {@linkcode BodyDeadline}).
 *
 * @module
 */

import {
  BodyReader,
  BodyTooLargeError,
  parseContentLength,
} from "../../http/body.ts";
import type { BufferedReader } from "../../http/buffered_reader.ts";
import { HttpError, ProtocolError } from "../../http/errors.ts";
import type { HeaderMap } from "../../http/header_fields.ts";
import { trimOws } from "../../http/header_fields.ts";
import { type ByteSink, writeAll } from "../../common/net.ts";
import { BodyDeadline } from "./body_deadline.ts";

/** How the body of a request is framed. */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" };

/**
 * The most body bytes read and thrown away so that a connection can carry
 * on after a resource that takes no body; past it the connection closes.
 * Small enough to cost nothing, large enough for any form a browser sends
 * to the wrong place.
 */
export const DISCARD_LIMIT = 64 * 1024;

const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

/**
 * Works out the framing of a request body from its headers.
 *
 * @throws {HttpError} 400 for conflicting or malformed framing, 501 for a
 * transfer coding other than chunked, 413 for a length over `maxBytes`.
 */
export function requestBodyFraming(
  headers: HeaderMap,
  version: "HTTP/1.0" | "HTTP/1.1",
  maxBytes: number,
): BodyFraming {
  const te = headers.get("transfer-encoding");
  const cl = headers.get("content-length");
  if (te !== undefined) {
    // Both framings at once is how requests get smuggled: refuse it.
    if (cl !== undefined) {
      throw new HttpError(
        400,
        "AMBIGUOUS_FRAMING",
        "Request has both Transfer-Encoding and Content-Length",
      );
    }
    if (version === "HTTP/1.0") {
      throw new HttpError(
        400,
        "BAD_FRAMING",
        "Transfer-Encoding is not defined for HTTP/1.0",
      );
    }
    const codings = te.split(",").map((c) => trimOws(c).toLowerCase());
    if (codings.length !== 1 || codings[0] !== "chunked") {
      throw new HttpError(
        501,
        "UNSUPPORTED_TRANSFER_CODING",
        "Only the chunked transfer coding is supported",
      );
    }
    return { kind: "chunked" };
  }
  if (cl !== undefined) {
    const length = parseContentLength(cl);
    if (length === null) {
      throw new HttpError(
        400,
        "BAD_CONTENT_LENGTH",
        "Malformed Content-Length",
      );
    }
    if (length > maxBytes) {
      throw new HttpError(
        413,
        "BODY_TOO_LARGE",
        `Request body is larger than ${maxBytes} bytes`,
      );
    }
    return length === 0 ? { kind: "none" } : { kind: "length", length };
  }
  return { kind: "none" };
}

/**
 * Checks the `Expect` field of a request; true when the client waits for
 * `100 Continue` before it sends its body.
 *
 * @throws {HttpError} 417 for an expectation other than `100-continue`.
 */
export function expectsContinue(
  headers: HeaderMap,
  framing: BodyFraming,
  version: "HTTP/1.0" | "HTTP/1.1",
): boolean {
  const expect = headers.get("expect");
  if (expect === undefined) return false;
  if (expect.toLowerCase() !== "100-continue") {
    throw new HttpError(417, "UNKNOWN_EXPECTATION", "Unknown expectation");
  }
  return framing.kind !== "none" && version === "HTTP/1.1";
}

/** How a {@linkcode RequestBody} reads. */
export interface RequestBodyOptions {
  /** Largest body in bytes: a chunked body past it gets 413. */
  maxBytes: number;
  /**
   * Longest wait for the client, and the grace period before the body
   * must keep up its minimum rate, in ms (see {@linkcode BodyDeadline}).
   */
  timeoutMs: number;
  /** The client waits for `100 Continue` (see {@linkcode expectsContinue}). */
  sendContinue?: boolean;
  /** Where `100 Continue` is written: the connection. */
  sink?: ByteSink;
  /** Called when a read starts waiting for the client. */
  onWait?: () => void;
  /** Called when that read is over. */
  onProgress?: () => void;
}

const noop = () => {};

/**
 * The body of one request, pulled from the connection as the handler
 * reads it. Errors are the answers they call for: {@linkcode HttpError}
 * 413 (chunked body over the limit), 400 (broken chunked framing) or 408
 * (too slow); a {@linkcode ProtocolError} `UNEXPECTED_EOF` or a socket
 * error when the client went away. After an error every read throws it
 * again, and the connection cannot carry another request.
 */
export class RequestBody {
  #framing: BodyFraming;
  #body: BodyReader | null;
  #options: RequestBodyOptions;
  #continuePending: boolean;
  #reader: BufferedReader | null;
  #error: unknown = null;
  #deadline: BodyDeadline;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut: Promise<never> | null = null;
  #rejectTimedOut: (err: HttpError) => void = noop;
  #cap = Number.POSITIVE_INFINITY;

  /** A request without a body (one shared instance: it has no state). */
  static none(): RequestBody {
    return NO_BODY;
  }

  /**
   * The body framed by `framing` on `reader` (`null` for no body, with
   * framing `none`).
   */
  constructor(
    reader: BufferedReader | null,
    framing: BodyFraming,
    options: RequestBodyOptions,
  ) {
    this.#framing = framing;
    this.#reader = reader;
    this.#options = options;
    this.#body = reader === null || framing.kind === "none"
      ? null
      : new BodyReader(reader, framing, options.maxBytes);
    this.#continuePending = options.sendContinue === true &&
      this.#body !== null;
    this.#deadline = new BodyDeadline(options.timeoutMs);
  }

  /**
   * Lowers the largest body to `maxBytes`, for a handler that learns only
   * after resolving the path that the connection's limit was too generous
   * (an upload folder's limit, for a script in it): a longer body is
   * refused with {@linkcode HttpError} 413 by the read that passes it.
   */
  limit(maxBytes: number): void {
    this.#cap = Math.min(this.#cap, maxBytes);
  }

  /** How the body is framed. */
  get framing(): BodyFraming {
    return this.#framing;
  }

  /** The body's length when known up front: 0 without one, null if chunked. */
  get length(): number | null {
    const framing = this.#framing;
    if (framing.kind === "length") return framing.length;
    return framing.kind === "none" ? 0 : null;
  }

  /** Body bytes read so far. */
  get received(): number {
    return this.#body?.received ?? 0;
  }

  /** True once a read failed: the connection can only be closed. */
  get failed(): boolean {
    return this.#error !== null;
  }

  /** True once the whole body has been read (at once without a body). */
  get complete(): boolean {
    return this.#body === null || this.#body.done;
  }

  /**
   * The next piece of the body, or null after the last. The view is valid
   * until the next read; the caller that keeps bytes copies them.
   */
  async read(): Promise<Uint8Array | null> {
    if (this.#error !== null) throw this.#error;
    const body = this.#body;
    if (body === null || body.done) return null;
    // Refused before `100 Continue` invites a body known to be too long.
    const length = this.length;
    if (length !== null && length > this.#cap) {
      throw this.#fail(this.#tooLarge());
    }
    if (this.#continuePending) {
      this.#continuePending = false;
      // A client that already started sending needs no invitation.
      if (this.#reader!.buffered === 0 && this.#options.sink !== undefined) {
        await writeAll(this.#options.sink, CONTINUE);
      }
    }
    this.#startWait();
    try {
      const piece = await Promise.race([body.read(), this.#timeout()]);
      if (body.received > this.#cap) throw this.#tooLarge();
      return piece;
    } catch (err) {
      throw this.#fail(err);
    } finally {
      this.#endWait();
    }
  }

  /**
   * Reads and drops what is left of the body if that is at most `limit`
   * bytes; true when the body was read to its end, false when it is
   * larger (then nothing or only part of it was read, `100 Continue` is
   * not sent for a length known to be over, and the connection must close).
   *
   * @throws what {@linkcode read} throws.
   */
  async discard(limit: number): Promise<boolean> {
    if (this.complete) return true;
    if (this.#error !== null) return false;
    const length = this.length;
    if (length !== null && length - this.received > limit) return false;
    let budget = limit;
    for (;;) {
      const piece = await this.read();
      if (piece === null) return true;
      budget -= piece.length;
      if (budget < 0) return false;
    }
  }

  /** Stops the body's timer; the connection calls it after the request. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #timeout(): Promise<never> {
    if (this.#timedOut === null) {
      this.#timedOut = new Promise<never>((_, reject) => {
        this.#rejectTimedOut = reject;
      });
      // Nobody may be racing it when it fires between reads.
      this.#timedOut.catch(noop);
    }
    return this.#timedOut;
  }

  #startWait(): void {
    const now = performance.now();
    this.#deadline.startWait(now);
    (this.#options.onWait ?? noop)();
    // One timer per body, re-armed when it fires early: the allowance of a
    // later wait never ends before that of an earlier one.
    if (this.#timer === undefined) this.#arm(this.#deadline.msLeft(now));
  }

  #endWait(): void {
    this.#deadline.endWait(performance.now(), this.received);
    (this.#options.onProgress ?? noop)();
    if (this.complete || this.#error !== null) this.close();
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, Math.ceil(ms)));
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#deadline.waiting || this.#error !== null) return;
    const left = this.#deadline.msLeft(performance.now());
    if (left > 0) {
      this.#arm(left);
      return;
    }
    this.#rejectTimedOut(
      new HttpError(408, "BODY_TIMEOUT", "Request body arrived too slowly"),
    );
  }

  #tooLarge(): HttpError {
    return new HttpError(
      413,
      "BODY_TOO_LARGE",
      `Request body is larger than ${this.#cap} bytes`,
    );
  }

  /** Records `err` as the body's failure, in the form it is answered. */
  #fail(err: unknown): unknown {
    let failure = err;
    if (err instanceof BodyTooLargeError) {
      failure = new HttpError(413, "BODY_TOO_LARGE", err.message);
    } else if (
      err instanceof ProtocolError &&
      (err.code === "BAD_CHUNK" || err.code === "LINE_TOO_LONG")
    ) {
      // A broken frame gets a 400; a connection that ended has no one to tell.
      failure = new HttpError(400, "BAD_CHUNK", err.message);
    }
    this.#error = failure;
    this.close();
    return failure;
  }
}

const NO_BODY = new RequestBody(null, { kind: "none" }, {
  maxBytes: 0,
  timeoutMs: 1,
});
