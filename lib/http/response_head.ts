/**
 * Serialization of HTTP/1.1 response heads, and joining a small head and
 * body into one buffer so that one write carries a whole response.
 *
 * @module
 */

import { type HeaderList, isFieldValue, isToken } from "./header_fields.ts";
import { statusText } from "./status.ts";

const encoder = new TextEncoder();

/**
 * Serializes a status line and header fields, ending with the blank line.
 *
 * @throws {TypeError} when a name is not a token or a value holds CR, LF
 * or another control character (response splitting).
 */
export function serializeResponseHead(
  status: number,
  headers: HeaderList,
  reason: string = statusText(status),
): string {
  let out = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of headers) {
    if (!isToken(name) || !isFieldValue(value)) {
      throw new TypeError(`Header ${JSON.stringify(name)} cannot be sent`);
    }
    out += `${name}: ${value}\r\n`;
  }
  return out + "\r\n";
}

/** Encodes `head` and appends `body` in one freshly allocated buffer. */
export function joinHeadAndBody(
  head: string,
  body: Uint8Array | undefined,
): Uint8Array {
  if (body === undefined || body.length === 0) return encoder.encode(head);
  // Heads are nearly always ASCII, where the encoded length is the string
  // length; a non-ASCII field value takes the slower path.
  const out = new Uint8Array(head.length + body.length);
  const { read, written } = encoder.encodeInto(head, out);
  if (read !== head.length || written !== head.length) {
    const headBytes = encoder.encode(head);
    const joined = new Uint8Array(headBytes.length + body.length);
    joined.set(headBytes);
    joined.set(body, headBytes.length);
    return joined;
  }
  out.set(body, head.length);
  return out;
}
