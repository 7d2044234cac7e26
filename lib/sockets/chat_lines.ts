/**
 * The small line protocol of the chat modes: plain lines, a blank line (or
 * the end of the stream) leaves, `/name NAME` picks the name others see,
 * and relayed lines carry a `[name] ` prefix. A server reads each client's
 * lines with {@linkcode readChatEvent}.
 *
 * @module
 */

import {
  type LineReader,
  LineTooLongError,
  stripLineEnding,
} from "../common/line_reader.ts";
import { describeConnectionError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What one received line asks for. */
export type ChatLine =
  | { kind: "leave" }
  | { kind: "rename"; name: string }
  | { kind: "bad-name"; name: string }
  | { kind: "say"; text: Uint8Array };

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** True for a name a client may take: 1–32 of `A-Z a-z 0-9 _ . -`. */
export function isValidChatName(name: string): boolean {
  return NAME.test(name);
}

/** Classifies a received line (with or without its ending). */
export function parseChatLine(line: Uint8Array): ChatLine {
  const text = stripLineEnding(line);
  if (text.length === 0) return { kind: "leave" };
  // "/name " is ASCII: test the bytes before decoding anything.
  if (text.length > 6 && text[0] === 0x2f && startsWithName(text)) {
    const name = decoder.decode(text.subarray(6)).trim();
    return isValidChatName(name)
      ? { kind: "rename", name }
      : { kind: "bad-name", name };
  }
  return { kind: "say", text };
}

/** What a chat client did next: sent a line, or left and why. */
export type ChatEvent =
  | Exclude<ChatLine, { kind: "leave" }>
  | { kind: "left"; reason: string };

/**
 * Reads the next line of a chat client from `reader`. A line over the
 * limit is answered with an `error:` notice through `refuse` (which also
 * ends the connection) and counts as leaving, as do a blank line, the end
 * of the stream and a broken connection.
 */
export async function readChatEvent(
  reader: LineReader,
  refuse: (notice: Uint8Array) => Promise<void>,
): Promise<ChatEvent> {
  let line: Uint8Array | null;
  try {
    line = await reader.readLine();
  } catch (err) {
    if (err instanceof LineTooLongError) {
      await refuse(noticeLine(`error: ${err.message}`));
      return { kind: "left", reason: err.message.toLowerCase() };
    }
    return { kind: "left", reason: describeConnectionError(err) };
  }
  if (line === null) return { kind: "left", reason: "closed the connection" };
  const said = parseChatLine(line);
  return said.kind === "leave"
    ? { kind: "left", reason: "sent a blank line" }
    : said;
}

function startsWithName(text: Uint8Array): boolean {
  const prefix = "/name ";
  for (let i = 0; i < prefix.length; i++) {
    if (text[i] !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** `[name] text\n` as bytes, `text` copied as it came (binary-safe). */
export function prefixedLine(name: string, text: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`[${name}] `);
  const out = new Uint8Array(prefix.length + text.length + 1);
  out.set(prefix);
  out.set(text, prefix.length);
  out[out.length - 1] = 0x0a;
  return out;
}

/** A server notice, `* text\n`, as bytes. */
export function noticeLine(text: string): Uint8Array {
  return encoder.encode(`* ${text}\n`);
}

/** `text` followed by a line feed, as a new array. */
export function withNewline(text: Uint8Array): Uint8Array {
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  out[text.length] = 0x0a;
  return out;
}
