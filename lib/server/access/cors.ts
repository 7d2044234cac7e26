/**
 * Cross-origin resource sharing (`--cors`), as the Fetch standard has
 * browsers ask for it. Any origin (`*`) is one constant header, added to
 * every response (prepared ones included) at start. A list of origins
 * echoes the request's `Origin` when it is on the list, so that header
 * is added per request, with `Vary: Origin` on every response so a
 * cache never serves one origin's answer to another. Preflights
 * (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) get a
 * 204 listing the resource's methods; browsers send them without
 * credentials, so they are answered before any authentication.
 *
 * @module
 */

import { AccessConfigError } from "./errors.ts";
import { type HeaderList, isToken, trimOws } from "../../http/header_fields.ts";
import type { PreparedResponse } from "../core/prepared_response.ts";
import {
  appendMissingHeaders,
  statusHasNoBody,
} from "../core/prepared_response.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";

/** How long a browser may reuse a preflight's answer, in seconds. */
export const PREFLIGHT_MAX_AGE = 600;

/** A `--cors` value that is neither `*` nor an origin. */
export class CorsOriginError extends AccessConfigError {
  /** Creates the error with a sentence-case message. */
  constructor(message: string) {
    super("CORS_ORIGIN_INVALID", message);
    this.name = "CorsOriginError";
  }
}

// scheme://host[:port], as browsers serialize an origin: no path, no slash.
const ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@]+$/;

/**
 * Checks the `--cors` values: `["*"]`, or origins.
 *
 * @throws {CorsOriginError} for a value that is not an origin, or `*`
 * together with origins.
 */
export function checkCorsOrigins(origins: readonly string[]): void {
  if (origins.includes("*") && origins.length > 1) {
    throw new CorsOriginError("--cors * allows every origin: list no others");
  }
  for (const origin of origins) {
    if (origin !== "*" && !ORIGIN.test(origin)) {
      throw new CorsOriginError(
        `--cors "${origin}" is not an origin like https://example.com:8443`,
      );
    }
  }
}

/** True when every comma-separated item of `value` is a token. */
function isTokenList(value: string): boolean {
  return value.split(",").every((item) => isToken(trimOws(item)));
}

/** The CORS answers of one server. */
export class CorsPolicy {
  readonly #any: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #credentials: boolean;

  /**
   * Allows `origins` (`["*"]` for any, checked by
   * {@linkcode checkCorsOrigins}); `credentials` (authentication is on)
   * lets listed origins send them.
   */
  constructor(origins: readonly string[], credentials = false) {
    this.#any = origins.includes("*");
    this.#origins = new Set(origins);
    this.#credentials = credentials && !this.#any;
  }

  /** Headers for every response, whatever the request (set at start). */
  get constantHeaders(): HeaderList {
    return this.#any
      ? [["Access-Control-Allow-Origin", "*"]]
      : [["Vary", "Origin"]];
  }

  /** The headers for `req`'s origin alone, or null when it gets none. */
  originHeaders(req: HttpRequest): HeaderList | null {
    if (this.#any) return null;
    const origin = req.headers.get("origin");
    if (origin === undefined || !this.#origins.has(origin)) return null;
    const headers: HeaderList = [["Access-Control-Allow-Origin", origin]];
    if (this.#credentials) {
      headers.push(["Access-Control-Allow-Credentials", "true"]);
    }
    return headers;
  }

  /** True when `req` is a preflight from an allowed origin. */
  isPreflight(req: HttpRequest): boolean {
    if (req.method !== "OPTIONS") return false;
    const origin = req.headers.get("origin");
    return origin !== undefined &&
      req.headers.has("access-control-request-method") &&
      (this.#any || this.#origins.has(origin));
  }

  /** Answers a preflight for a resource that allows `allow`. */
  async answerPreflight(
    req: HttpRequest,
    res: ResponseWriter,
    allow: string,
  ): Promise<void> {
    const headers: HeaderList = [
      ["Allow", allow],
      ["Access-Control-Allow-Methods", allow],
      ["Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE)],
    ];
    const asked = req.headers.get("access-control-request-headers");
    if (asked !== undefined && trimOws(asked) !== "" && isTokenList(asked)) {
      headers.push(["Access-Control-Allow-Headers", trimOws(asked)]);
    }
    for (const h of this.originHeaders(req) ?? []) headers.push(h);
    await res.send(204, headers);
  }

  /** `res`, adding `req`'s origin headers to whatever it sends. */
  wrap(req: HttpRequest, res: ResponseWriter): ResponseWriter {
    const extra = this.originHeaders(req);
    return extra === null ? res : new HeaderAddingWriter(res, extra);
  }
}

/** A writer that adds headers (unless the response has its own). */
class HeaderAddingWriter implements ResponseWriter {
  readonly #inner: ResponseWriter;
  readonly #extra: HeaderList;

  constructor(inner: ResponseWriter, extra: HeaderList) {
    this.#inner = inner;
    this.#extra = extra;
  }

  get headSent(): boolean {
    return this.#inner.headSent;
  }
  get status(): number {
    return this.#inner.status;
  }
  get bodyBytes(): number {
    return this.#inner.bodyBytes;
  }
  get keepAlive(): boolean {
    return this.#inner.keepAlive;
  }

  #with(headers: HeaderList): HeaderList {
    const list: HeaderList = [...headers];
    appendMissingHeaders(list, headers, this.#extra);
    return list;
  }

  closeConnection(): void {
    this.#inner.closeConnection();
  }
  send(
    status: number,
    headers: HeaderList,
    body?: Uint8Array | string,
  ): Promise<void> {
    return this.#inner.send(status, this.#with(headers), body);
  }
  async sendPrepared(prepared: PreparedResponse): Promise<void> {
    // The prepared bytes lack this origin's headers: stream the same
    // response (its body is not copied) instead of the one ready write.
    const length = statusHasNoBody(prepared.status)
      ? null
      : prepared.body.length;
    await this.#inner.start(
      prepared.status,
      this.#with(prepared.headers),
      length,
    );
    await this.#inner.write(prepared.body);
    await this.#inner.end();
  }
  start(
    status: number,
    headers: HeaderList,
    contentLength: number | null,
  ): Promise<void> {
    return this.#inner.start(status, this.#with(headers), contentLength);
  }
  write(chunk: Uint8Array): Promise<void> {
    return this.#inner.write(chunk);
  }
  end(): Promise<void> {
    return this.#inner.end();
  }
  abort(): void {
    this.#inner.abort();
  }
}
