/**
 * Parsing and checking of header field lines (RFC 9110 section 5,
 * RFC 9112 section 5), shared by request heads, response heads and CGI
 * script output.
 *
 * @module
 */

/**
 * Header fields by lower-cased name, in arrival order. Read-only: a parsed
 * request head may be shared by the requests that repeat it.
 */
export type HeaderMap = ReadonlyMap<string, string>;

/** Header fields to send, in order, with their original case. */
export type HeaderList = Array<readonly [string, string]>;

/** Why a header block was refused. */
export class HeaderSyntaxError extends Error {
  /** A stable identifier: `BAD_HEADER`, `OBS_FOLD`, `TOO_MANY_HEADERS`. */
  readonly code: string;

  /** Creates the error with a stable `code`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "HeaderSyntaxError";
    this.code = code;
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values may hold visible ASCII, SP, HTAB and obs-text; no CTLs.
// deno-lint-ignore no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * tchar (RFC 9110 section 5.6.2) as a table over bytes: 1 for a byte that
 * may appear in a token, for parsers that read heads as bytes.
 */
export const TCHAR: Uint8Array = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

/**
 * True when `buf` holds exactly the characters of `text` (ASCII or
 * Latin-1) at `at`: a byte parser's way to recognise a known word without
 * making a string.
 */
export function holdsText(buf: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (buf[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** True when `s` is an RFC 9110 token (method names, header names). */
export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** True when `s` may be sent as a field value (no CR, LF or other CTLs). */
export function isFieldValue(s: string): boolean {
  return !BAD_VALUE.test(s);
}

/** Decodes bytes one-to-one into a string (ISO-8859-1), as HTTP heads are. */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length <= 4096) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let out = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + 4096) as unknown as number[],
    );
  }
  return out;
}

/** Splits a head into lines, accepting CRLF or bare LF endings. */
export function splitHeadLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith("\r")) lines[i] = line.slice(0, -1);
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Parses `lines[from…]` as header fields into a map keyed by lower-cased
 * name. Repeated fields are joined with `", "` (`"; "` for `cookie`), as
 * RFC 9110 section 5.3 allows; `set-cookie` lines are joined with `"\n"`.
 *
 * @throws {HeaderSyntaxError} on obs-fold, a bad name, a bad value, or more
 * than `maxCount` fields.
 */
export function parseHeaderFields(
  lines: readonly string[],
  from: number,
  maxCount = 100,
): HeaderMap {
  const headers = new Map<string, string>();
  if (lines.length - from > maxCount) {
    throw new HeaderSyntaxError(
      "TOO_MANY_HEADERS",
      `More than ${maxCount} header fields`,
    );
  }
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") break;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      throw new HeaderSyntaxError(
        "OBS_FOLD",
        "Folded header lines are obsolete",
      );
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new HeaderSyntaxError("BAD_HEADER", "Header line has no name");
    }
    const rawName = line.slice(0, colon);
    if (!TOKEN.test(rawName)) {
      throw new HeaderSyntaxError(
        "BAD_HEADER",
        "Header name is not a valid token",
      );
    }
    const value = trimOws(line.slice(colon + 1));
    if (BAD_VALUE.test(value)) {
      throw new HeaderSyntaxError(
        "BAD_HEADER",
        "Header value holds a control character",
      );
    }
    const name = rawName.toLowerCase();
    const prior = headers.get(name);
    if (prior === undefined) headers.set(name, value);
    else if (name === "cookie") headers.set(name, `${prior}; ${value}`);
    else if (name === "set-cookie") headers.set(name, `${prior}\n${value}`);
    else headers.set(name, `${prior}, ${value}`);
  }
  return headers;
}

/** Removes optional whitespace (SP and HTAB only) around a field value. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) {
    b--;
  }
  return s.slice(a, b);
}

/** True when a comma-separated header value lists `token` (any case). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const want = token.toLowerCase();
  for (const part of value.split(",")) {
    if (trimOws(part).toLowerCase() === want) return true;
  }
  return false;
}
