/**
 * The small line protocol of the chat modes: plain lines, a blank line (or
 * the end of the stream) leaves, `/name NAME` picks the name others see,
 * and relayed lines carry a `[name] ` prefix.
 *
 * @module
 */

import { stripLineEnding } from "./line_reader.ts";

/** Longest line a chat server accepts from a client, by default. */
export const DEFAULT_CHAT_MAX_LINE = 8192;

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
