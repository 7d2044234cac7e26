/**
 * A streaming `multipart/form-data` parser (RFC 7578 over RFC 2046): fed
 * the body piece by piece, it tells where each part starts (with its
 * header fields) and hands out the part's bytes as they come, holding
 * back only what could be the start of a boundary. Memory is bounded by
 * the longest part head allowed, whatever the size of the parts.
 *
 * @module
 */

import { HttpError } from "./errors.ts";

/** What {@linkcode MultipartParser.feed} found, in order. */
export type MultipartEvent =
  | {
    readonly kind: "part";
    /** The part's header fields, names lower-cased. */
    readonly headers: ReadonlyMap<string, string>;
  }
  /** Bytes of the current part: a view valid until the next `feed`. */
  | { readonly kind: "data"; readonly bytes: Uint8Array }
  | { readonly kind: "part-end" }
  /** The closing boundary: anything after it is ignored. */
  | { readonly kind: "done" };

/** Limits of one body. */
export interface MultipartLimits {
  /** Largest head of one part, in bytes (default 8 KiB). */
  maxHeadBytes?: number;
  /** Most parts (default 1000). */
  maxParts?: number;
}

/** A malformed or over-limit multipart body. */
export class MultipartError extends HttpError {
  /** Creates the error answered with `status`. */
  constructor(status: 400 | 413, code: string, message: string) {
    super(status, code, message);
    this.name = "MultipartError";
  }
}

const CR = 13;
const LF = 10;
const DASH = 45;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEAD_END = encoder.encode("\r\n\r\n");

/** Finds `needle` in `hay` from `from`; -1 when absent. */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last;) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = hay.indexOf(first, i + 1);
  }
  return -1;
}

/**
 * The length of the longest suffix of `hay` that is a prefix of `needle`
 * (so may be the start of a delimiter split across pieces).
 */
function partialTail(hay: Uint8Array, needle: Uint8Array): number {
  const max = Math.min(hay.length, needle.length - 1);
  for (let n = max; n > 0; n--) {
    let j = 0;
    const start = hay.length - n;
    while (j < n && hay[start + j] === needle[j]) j++;
    if (j === n) return n;
  }
  return 0;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The boundary of a `multipart/form-data` Content-Type, or null when the
 * type is another or the boundary is missing or invalid (1 to 70
 * characters, RFC 2046 section 5.1.1).
 */
export function multipartBoundaryOf(
  contentType: string | undefined,
): string | null {
  if (contentType === undefined) return null;
  const [type, ...params] = contentType.split(";");
  if (type!.trim().toLowerCase() !== "multipart/form-data") return null;
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    } else if (!TOKEN.test(value)) return null;
    if (value.length < 1 || value.length > 70 || /[^\x20-\x7e]/.test(value)) {
      return null;
    }
    return value;
  }
  return null;
}

/** Unquotes an RFC 9110 quoted-string's content (`\x` stands for `x`). */
function unquote(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

/**
 * The `name` and `filename` of a part's Content-Disposition: `filename*`
 * (RFC 5987 UTF-8) wins over `filename`; null when absent. Browsers send
 * names as raw UTF-8 with `"` as `%22`, which is left as it is.
 */
export function contentDispositionOf(
  value: string | undefined,
): { name: string | null; filename: string | null } {
  const out = { name: null as string | null, filename: null as string | null };
  if (value === undefined) return out;
  let extended: string | null = null;
  // A parameter is token=token or token="quoted \" string".
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of value.matchAll(re)) {
    const key = m[1]!.toLowerCase();
    const v = m[2] !== undefined ? unquote(m[2]) : m[3]!.trim();
    if (key === "name") out.name = v;
    else if (key === "filename") out.filename = v;
    else if (key === "filename*") {
      const ext = /^utf-8'[^']*'(.*)$/i.exec(v);
      if (ext !== null) {
        try {
          extended = decodeURIComponent(ext[1]!);
        } catch {
          // Malformed escapes: the plain filename stands.
        }
      }
    }
  }
  if (extended !== null) out.filename = extended;
  return out;
}

type State = "preamble" | "after-boundary" | "head" | "body" | "epilogue";

/**
 * Parses one multipart body pushed in pieces. Call {@linkcode feed} with
 * each piece and handle the events before the next; call
 * {@linkcode finish} at the end of the body.
 */
export class MultipartParser {
  #delimiter: Uint8Array;
  #maxHead: number;
  #maxParts: number;
  #parts = 0;
  #state: State = "preamble";
  // Bytes held back from the previous piece: a possible boundary start,
  // or an unfinished part head. Starts as CRLF so that a body opening
  // with the boundary at once matches the CRLF-led delimiter.
  #held: Uint8Array = new Uint8Array([CR, LF]);

  /** A parser for `boundary` (see {@linkcode multipartBoundaryOf}). */
  constructor(boundary: string, limits: MultipartLimits = {}) {
    this.#delimiter = encoder.encode(`\r\n--${boundary}`);
    this.#maxHead = limits.maxHeadBytes ?? 8192;
    this.#maxParts = limits.maxParts ?? 1000;
  }

  /** True once the closing boundary was seen. */
  get done(): boolean {
    return this.#state === "epilogue";
  }

  /**
   * Parses `piece`; the `data` events may be views of it.
   *
   * @throws {MultipartError} for a malformed body or one past the limits.
   */
  feed(piece: Uint8Array): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    if (this.#state === "epilogue") return events;
    let buf = piece;
    if (this.#held.length > 0) {
      buf = new Uint8Array(this.#held.length + piece.length);
      buf.set(this.#held);
      buf.set(piece, this.#held.length);
    }
    let pos = 0;
    const delim = this.#delimiter;
    for (;;) {
      if (this.#state === "preamble" || this.#state === "body") {
        const at = indexOfBytes(buf, delim, pos);
        if (at === -1) {
          const keep = partialTail(buf.subarray(pos), delim);
          const end = buf.length - keep;
          if (this.#state === "body" && end > pos) {
            events.push({ kind: "data", bytes: buf.subarray(pos, end) });
          }
          this.#held = buf.slice(end);
          return events;
        }
        if (this.#state === "body") {
          if (at > pos) {
            events.push({ kind: "data", bytes: buf.subarray(pos, at) });
          }
          events.push({ kind: "part-end" });
        }
        pos = at + delim.length;
        this.#state = "after-boundary";
      } else if (this.#state === "after-boundary") {
        // "--" closes the body; else optional blanks, then CRLF.
        let i = pos;
        if (buf.length - i < 2) {
          this.#held = buf.slice(pos);
          return events;
        }
        if (buf[i] === DASH && buf[i + 1] === DASH) {
          this.#state = "epilogue";
          this.#held = new Uint8Array(0);
          events.push({ kind: "done" });
          return events;
        }
        while (i < buf.length && (buf[i] === 32 || buf[i] === 9)) i++;
        if (i - pos > 64) throw this.#malformed();
        if (buf.length - i < 2) {
          this.#held = buf.slice(pos);
          return events;
        }
        if (buf[i] !== CR || buf[i + 1] !== LF) throw this.#malformed();
        pos = i + 2;
        if (++this.#parts > this.#maxParts) {
          throw new MultipartError(
            413,
            "TOO_MANY_PARTS",
            `Multipart body has more than ${this.#maxParts} parts`,
          );
        }
        this.#state = "head";
      } else if (this.#state === "head") {
        // A part without fields starts with the blank line at once.
        if (buf.length - pos >= 2 && buf[pos] === CR && buf[pos + 1] === LF) {
          events.push({ kind: "part", headers: new Map() });
          pos += 2;
          this.#state = "body";
          continue;
        }
        const end = indexOfBytes(buf, HEAD_END, pos);
        const headBytes = end === -1 ? buf.length - pos : end - pos;
        if (headBytes > this.#maxHead) {
          throw new MultipartError(
            400,
            "PART_HEAD_TOO_LARGE",
            `Multipart part head is larger than ${this.#maxHead} bytes`,
          );
        }
        if (end === -1) {
          this.#held = buf.slice(pos);
          return events;
        }
        events.push({
          kind: "part",
          headers: this.#parseHead(buf.subarray(pos, end)),
        });
        // The body starts after the blank line; the CRLF before the next
        // boundary belongs to the delimiter, so an empty body is found too.
        pos = end + HEAD_END.length;
        this.#state = "body";
      } else {
        return events;
      }
    }
  }

  /**
   * Ends the body.
   *
   * @throws {MultipartError} 400 when the closing boundary never came.
   */
  finish(): void {
    if (this.#state !== "epilogue") {
      throw new MultipartError(
        400,
        "MULTIPART_TRUNCATED",
        "Multipart body ends before its closing boundary",
      );
    }
  }

  #parseHead(bytes: Uint8Array): Map<string, string> {
    const headers = new Map<string, string>();
    for (const line of decoder.decode(bytes).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw this.#malformed();
      headers.set(
        line.slice(0, colon).trim().toLowerCase(),
        line.slice(colon + 1).trim(),
      );
    }
    return headers;
  }

  #malformed(): MultipartError {
    return new MultipartError(
      400,
      "MALFORMED_MULTIPART",
      "Multipart body is malformed",
    );
  }
}
