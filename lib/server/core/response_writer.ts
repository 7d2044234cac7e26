/**
 * Writing one response onto a connection: the head with `Date`, `Server`,
 * `Connection` and framing headers, then a body sent whole, streamed with a
 * known length, chunked (HTTP/1.1) or close-delimited (HTTP/1.0), or a
 * {@linkcode PreparedResponse} sent as one ready-made buffer.
 *
 * @module
 */

import { encodeChunk, LAST_CHUNK } from "../../http/body.ts";
import { currentHttpDate } from "../../http/date.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import type { ByteSink } from "../../common/net.ts";
import {
  joinHeadAndBody,
  serializeResponseHead,
} from "../../http/response_head.ts";
import {
  type PreparedBytes,
  type PreparedResponse,
  responseHeaderList,
  statusHasNoBody,
} from "./prepared_response.ts";

export { SERVER_SOFTWARE, statusHasNoBody } from "./prepared_response.ts";
export type { PreparedBytes } from "./prepared_response.ts";

const encoder = new TextEncoder();

/** What a handler uses to answer. */
export interface ResponseWriter {
  /** True once the head has been written. */
  readonly headSent: boolean;
  /** The status sent (0 before the head). */
  readonly status: number;
  /** Body bytes written so far. */
  readonly bodyBytes: number;
  /** True when the connection stays open after this response. */
  readonly keepAlive: boolean;
  /** Asks for the connection to be closed after this response. */
  closeConnection(): void;
  /** Sends a complete response; `Content-Length` is added. */
  send(
    status: number,
    headers: HeaderList,
    body?: Uint8Array | string,
  ): Promise<void>;
  /** Sends a prepared response in one write (its head only for HEAD). */
  sendPrepared(prepared: PreparedResponse): Promise<void>;
  /**
   * Starts a streamed response. `contentLength` null means unknown: the
   * body is chunked on HTTP/1.1 and close-delimited on HTTP/1.0.
   */
  start(
    status: number,
    headers: HeaderList,
    contentLength: number | null,
  ): Promise<void>;
  /** Writes body bytes of a started response (dropped for HEAD). */
  write(chunk: Uint8Array): Promise<void>;
  /** Finishes a started response. */
  end(): Promise<void>;
  /**
   * Gives up on a started response: the connection is closed after it and
   * `end()` writes nothing more, so a chunked body visibly lacks its end.
   */
  abort(): void;
}

/** What the writer needs to know about the request it answers. */
export interface ResponseContext {
  /** Request method (HEAD gets no body). */
  method: string;
  /** Request version (1.0 gets no chunked coding). */
  version: "HTTP/1.0" | "HTTP/1.1";
  /** Whether the connection may stay open after this response. */
  keepAlive: boolean;
}

/**
 * The bytes that answer a `method` request with `prepared` now: with the
 * current `Date` and the connection's disposition, and without the body
 * for a HEAD or a status that has none.
 */
export function preparedBytes(
  prepared: PreparedResponse,
  method: string,
  keepAlive: boolean,
): PreparedBytes {
  const encoded = prepared.encoded(currentHttpDate(), keepAlive);
  // A status without a body was encoded without one.
  return method === "HEAD" ? encoded.headOnly : encoded.whole;
}

/** A {@linkcode ResponseWriter} on a connection. */
export class ConnResponseWriter implements ResponseWriter {
  #sink: ByteSink;
  #ctx: ResponseContext;
  #keepAlive: boolean;
  #status = 0;
  #bodyBytes = 0;
  #framing: "none" | "length" | "chunked" | "close" = "none";
  #noBody = false;
  #onProgress: () => void;

  /** Writes to `sink`; `onProgress` is called after each write completes. */
  constructor(sink: ByteSink, ctx: ResponseContext, onProgress = () => {}) {
    this.#sink = sink;
    this.#ctx = ctx;
    this.#keepAlive = ctx.keepAlive;
    this.#onProgress = onProgress;
  }

  get headSent(): boolean {
    return this.#status !== 0;
  }
  get status(): number {
    return this.#status;
  }
  get bodyBytes(): number {
    return this.#bodyBytes;
  }
  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  closeConnection(): void {
    if (this.#status !== 0) return;
    this.#keepAlive = false;
  }

  abort(): void {
    this.#keepAlive = false;
    this.#framing = "none";
  }

  async #put(bytes: Uint8Array): Promise<void> {
    try {
      // writeAll inlined: one async frame less on every response.
      let off = await this.#sink.write(bytes);
      while (off < bytes.length) {
        // A slow reader: the send timeout runs from each part it took.
        this.#onProgress();
        off += await this.#sink.write(bytes.subarray(off));
      }
    } catch (err) {
      // Part of a response may be on the wire: the connection cannot carry
      // another one, whatever the handler does with this error.
      this.#keepAlive = false;
      throw err;
    }
    this.#onProgress();
  }

  async send(
    status: number,
    headers: HeaderList,
    body?: Uint8Array | string,
  ): Promise<void> {
    if (this.#status !== 0) throw new Error("Response head already sent");
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const noBody = statusHasNoBody(status);
    const head = serializeResponseHead(
      status,
      responseHeaderList(
        currentHttpDate(),
        headers,
        noBody ? null : ["Content-Length", String(bytes?.length ?? 0)],
        this.#keepAlive,
      ),
    );
    this.#status = status;
    const sendBody = !noBody && this.#ctx.method !== "HEAD";
    await this.#put(joinHeadAndBody(head, sendBody ? bytes : undefined));
    if (sendBody && bytes !== undefined) this.#bodyBytes = bytes.length;
    this.#framing = "none";
  }

  // Not an async function: the write's own promise is the answer, one
  // async frame less on every cached hit.
  sendPrepared(prepared: PreparedResponse): Promise<void> {
    if (this.#status !== 0) {
      return Promise.reject(new Error("Response head already sent"));
    }
    const out = preparedBytes(prepared, this.#ctx.method, this.#keepAlive);
    this.#status = prepared.status;
    this.#framing = "none";
    // Counted before the write: a failed write ends the connection, and
    // nothing logs this response then.
    this.#bodyBytes = out.bodyBytes;
    return this.#put(out.bytes);
  }

  async start(
    status: number,
    headers: HeaderList,
    contentLength: number | null,
  ): Promise<void> {
    if (this.#status !== 0) throw new Error("Response head already sent");
    this.#noBody = statusHasNoBody(status) || this.#ctx.method === "HEAD";
    let framing: readonly [string, string] | null = null;
    if (statusHasNoBody(status)) {
      this.#framing = "none";
    } else if (contentLength !== null) {
      framing = ["Content-Length", String(contentLength)];
      this.#framing = "length";
    } else if (this.#ctx.version === "HTTP/1.1") {
      framing = ["Transfer-Encoding", "chunked"];
      this.#framing = "chunked";
    } else {
      this.#keepAlive = false;
      this.#framing = "close";
    }
    const list = responseHeaderList(
      currentHttpDate(),
      headers,
      framing,
      this.#keepAlive,
    );
    this.#status = status;
    await this.#put(encoder.encode(serializeResponseHead(status, list)));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#status === 0) throw new Error("Response not started");
    if (this.#noBody || chunk.length === 0) return;
    this.#bodyBytes += chunk.length;
    await this.#put(this.#framing === "chunked" ? encodeChunk(chunk) : chunk);
  }

  async end(): Promise<void> {
    if (this.#framing === "chunked" && !this.#noBody) {
      await this.#put(LAST_CHUNK);
    }
    this.#framing = "none";
  }
}
