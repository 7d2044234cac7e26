/**
 * A complete response kept as ready-to-send bytes. Cached files, listings
 * and their 304s are answered with one write of a buffer built once per
 * second (when the `Date` header changes) and per connection disposition,
 * instead of allocating, serializing and validating a head per request:
 * allocating even a 1 KiB buffer costs microseconds in Deno.
 *
 * @module
 */

import type { HeaderList } from "../../http/header_fields.ts";
import { serializeResponseHead } from "../../http/response_head.ts";

const encoder = new TextEncoder();

/** Identifies spidey in every response's `Server` header. */
export const SERVER_SOFTWARE = "spidey/0.1.0";

/** True for statuses that never carry a body (RFC 9110 section 6.4.1). */
export function statusHasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

// Set once at start (`-H`, `--cors`): one process serves one config.
let extraHeaders: HeaderList = [];

/**
 * Sets the headers added to every response of this process from now on
 * (prepared ones included: they are built into their bytes), after the
 * handler's own. Call it before serving.
 */
export function setExtraResponseHeaders(headers: HeaderList): void {
  extraHeaders = headers;
}

/**
 * Appends to `list` each of `extra` whose name `own` does not have: a
 * response's own header wins (a CGI script's `Cache-Control` over a
 * `-H` one). `Vary` is always appended: two `Vary` fields mean the union
 * of their lists (RFC 9110 section 5.3).
 */
export function appendMissingHeaders(
  list: HeaderList,
  own: HeaderList,
  extra: HeaderList,
): void {
  for (const h of extra) {
    const name = h[0].toLowerCase();
    if (
      name === "vary" || !own.some((o) => o[0].toLowerCase() === name)
    ) list.push(h);
  }
}

/**
 * The full header list of a response in spidey's order: `Server`, `Date`,
 * the handler's headers, the extra ones, framing, `Connection`.
 */
export function responseHeaderList(
  date: string,
  headers: HeaderList,
  framing: readonly [string, string] | null,
  keepAlive: boolean,
): HeaderList {
  const list: HeaderList = [["Server", SERVER_SOFTWARE], ["Date", date]];
  for (const h of headers) list.push(h);
  if (extraHeaders.length > 0) {
    appendMissingHeaders(list, headers, extraHeaders);
  }
  if (framing !== null) list.push(framing);
  list.push(["Connection", keepAlive ? "keep-alive" : "close"]);
  return list;
}

/** The bytes of a prepared response as sent to one request. */
export interface PreparedBytes {
  /** What goes on the wire: the whole response, or its head alone. */
  readonly bytes: Uint8Array;
  /** Body bytes among them (for the access log). */
  readonly bodyBytes: number;
}

/** The bytes of one variant, for one `Date` value. */
interface Encoded {
  readonly date: string;
  readonly bytes: Uint8Array;
  readonly headLength: number;
  /** What a GET gets: `bytes`, whole (made once, not per request). */
  readonly whole: PreparedBytes;
  /** What a HEAD gets: the head of `bytes`. */
  readonly headOnly: PreparedBytes;
}

/** A response whose bytes are built once and sent many times. */
export class PreparedResponse {
  /** The status code. */
  readonly status: number;
  /** The handler's headers (no `Date`, `Server`, framing or `Connection`). */
  readonly headers: HeaderList;
  /** The body (empty for statuses without one). */
  readonly body: Uint8Array;
  #keepAlive: Encoded | null = null;
  #close: Encoded | null = null;

  /**
   * Prepares `status` with `headers` and `body`.
   *
   * @throws {TypeError} when a header cannot be sent (checked once, here).
   */
  constructor(status: number, headers: HeaderList, body?: Uint8Array) {
    this.status = status;
    this.headers = headers;
    this.body = body ?? new Uint8Array(0);
    // Validate the headers now (serializing throws on a bad one) without
    // building bytes: those wait for the first real Date.
    serializeResponseHead(status, headers);
  }

  /** Bytes held, for cache budgets (a body and up to two encodings). */
  get cost(): number {
    return this.body.length + (this.#keepAlive?.bytes.length ?? 0) +
      (this.#close?.bytes.length ?? 0);
  }

  /**
   * The whole response for `date` and the connection disposition; the
   * first `headLength` bytes are the head (all a HEAD request gets).
   */
  encoded(date: string, keepAlive: boolean): Readonly<Encoded> {
    const cached = keepAlive ? this.#keepAlive : this.#close;
    if (cached !== null && cached.date === date) return cached;
    return this.#encode(date, keepAlive);
  }

  #encode(date: string, keepAlive: boolean): Encoded {
    const noBody = statusHasNoBody(this.status);
    const framing = noBody
      ? null
      : ["Content-Length", String(this.body.length)] as const;
    const head = encoder.encode(serializeResponseHead(
      this.status,
      responseHeaderList(date, this.headers, framing, keepAlive),
    ));
    const body = noBody ? new Uint8Array(0) : this.body;
    const bytes = new Uint8Array(head.length + body.length);
    bytes.set(head);
    bytes.set(body, head.length);
    const out: Encoded = {
      date,
      bytes,
      headLength: head.length,
      whole: { bytes, bodyBytes: body.length },
      headOnly: { bytes: bytes.subarray(0, head.length), bodyBytes: 0 },
    };
    if (keepAlive) this.#keepAlive = out;
    else this.#close = out;
    return out;
  }
}
