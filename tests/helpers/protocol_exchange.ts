/**
 * Raw HTTP exchanges for spidey's protocol tests: one request's bytes on a
 * new connection, read until the server closes it, with the responses
 * parsed and whether the close was the server's; and the spidey they run
 * against.
 */

import assert from "node:assert/strict";
import { parseResponses, type RawResponse } from "./raw_http.ts";
import {
  makeDocroot,
  type SpideyProcess,
  startSpidey,
} from "./spidey_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What came back on one connection. */
export interface Exchange {
  /** The responses, parsed. */
  responses: RawResponse[];
  /** Everything received, decoded as UTF-8. */
  raw: string;
  /** True when the server closed the connection (not our timeout). */
  closed: boolean;
}

/**
 * Sends `request` on a new connection and reads until the server closes it
 * or `timeoutMs` passes; `methods` tells the parser which responses answer
 * a HEAD (and so have no body).
 */
export async function exchange(
  port: number,
  request: string | Uint8Array,
  methods: string[] = [],
  timeoutMs = 8000,
): Promise<Exchange> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = typeof request === "string" ? encoder.encode(request) : request;
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
  const chunks: Uint8Array[] = [];
  let closed = false;
  const timer = setTimeout(() => conn.close(), timeoutMs);
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      chunks.push(buf.slice(0, n));
    }
  } catch {
    // Our timeout closed it.
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    all.set(c, pos);
    pos += c.length;
  }
  return {
    responses: all.length === 0 ? [] : parseResponses(all, methods),
    raw: decoder.decode(all),
    closed,
  };
}

/** One request, which must be answered with exactly one response. */
export async function exchangeOne(
  port: number,
  request: string | Uint8Array,
  method = "GET",
): Promise<RawResponse> {
  const ex = await exchange(port, request, [method]);
  assert.equal(
    ex.responses.length,
    1,
    `one response to ${JSON.stringify(request).slice(0, 200)}:\n${
      ex.raw.slice(0, 500)
    }`,
  );
  assert.ok(ex.closed, "the server closed the connection");
  return ex.responses[0]!;
}

/** Asserts an HTML error page for `status`, with the connection closed. */
export async function assertRefused(
  port: number,
  request: string | Uint8Array,
  status: number,
): Promise<RawResponse> {
  const res = await exchangeOne(port, request);
  assert.equal(res.status, status, `${JSON.stringify(request).slice(0, 120)}`);
  assertErrorPage(res, status);
  return res;
}

/** Asserts `res` is an HTML page naming `status`, framed by its length. */
export function assertErrorPage(res: RawResponse, status: number): void {
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  assert.ok(res.text.includes(String(status)), `page names ${status}`);
  assert.equal(res.body.length, Number(res.headers.get("content-length")));
}

/** A GET of `path` with a Host, `Connection: close` and `extra` fields. */
export const GET = (path: string, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

/**
 * Starts the spidey the protocol tests talk to: `-f` (keep-alive),
 * `--max-body 1024`, and a docroot with `hello.txt`, names that need
 * percent-encoding and a subdirectory.
 */
export async function startProtocolSpidey(): Promise<SpideyProcess> {
  const root = await makeDocroot({
    "hello.txt": "hello\n",
    "a b.txt": "spaced\n",
    "caf\u00e9.txt": "accent\n",
    "dir/inner.txt": "inner\n",
  });
  return await startSpidey([
    "-p",
    "0",
    "-d",
    root,
    "-f",
    "-q",
    "--max-body",
    "1024",
  ]);
}
