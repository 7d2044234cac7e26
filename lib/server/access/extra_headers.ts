/**
 * `-H 'Name: value'`: headers spidey adds to every response. Each is
 * checked once, at start: a field name that is a token, a value without
 * CR, LF or other control bytes, and never a header that frames the
 * message or belongs to the connection (those are spidey's to send, and
 * a wrong one would corrupt the stream rather than decorate it).
 *
 * @module
 */

import { AccessConfigError } from "./errors.ts";
import { isFieldValue, isToken, trimOws } from "../../http/header_fields.ts";
import type { HeaderList } from "../../http/header_fields.ts";

/** Names `-H` refuses: framing, hop-by-hop, and the ones spidey always sets. */
export const REFUSED_HEADER_NAMES: ReadonlySet<string> = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "date",
  "server",
]);

/** A `-H` value that cannot be sent. */
export class ExtraHeaderError extends AccessConfigError {
  /** Creates the error with a sentence-case message. */
  constructor(message: string) {
    super("EXTRA_HEADER_INVALID", message);
    this.name = "ExtraHeaderError";
  }
}

/**
 * Reads one `-H` value, `Name: value`.
 *
 * @throws {ExtraHeaderError} for a bad name or value, or a refused name.
 */
export function parseExtraHeader(text: string): readonly [string, string] {
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  if (colon <= 0 || !isToken(name)) {
    throw new ExtraHeaderError(
      `Header "${text.replace(/[\r\n]/g, " ")}" is not "Name: value"`,
    );
  }
  const value = trimOws(text.slice(colon + 1));
  // ASCII only: anything else would reach the wire in some encoding
  // that clients decode as Latin-1.
  if (!isFieldValue(value) || /[^\t -~]/.test(value)) {
    throw new ExtraHeaderError(
      `Header ${name} has a value with CR, LF, control or non-ASCII bytes`,
    );
  }
  if (REFUSED_HEADER_NAMES.has(name.toLowerCase())) {
    throw new ExtraHeaderError(`Header ${name} is set by spidey itself`);
  }
  return [name, value];
}

/**
 * Reads every `-H` value.
 *
 * @throws {ExtraHeaderError} for the first bad one.
 */
export function parseExtraHeaders(texts: readonly string[]): HeaderList {
  return texts.map(parseExtraHeader);
}
