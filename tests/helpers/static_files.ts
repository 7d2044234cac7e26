/**
 * Helpers for the static-file tests: document roots that remove
 * themselves, requests that close, heads split from bodies, large bodies
 * read without per-chunk copies, and reproducible file contents.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rawExchange } from "./raw_http.ts";
import { type DocrootSpec, makeDocroot } from "./spidey_process.ts";

/** A temporary document root, removed on disposal (`await using`). */
export interface TempDocroot extends AsyncDisposable {
  /** Its path. */
  path: string;
}

/**
 * Creates a document root with `files` like `makeDocroot`, and removes it
 * with everything in it when disposed, so big test files do not pile up.
 */
export async function tempDocroot(files: DocrootSpec): Promise<TempDocroot> {
  const path = await makeDocroot(files);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request that asks the server to close afterwards. */
export function request(method: string, path: string, extra = ""): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
}

/** Raw bytes of one exchange, split at the end of the head. */
export async function exchange(
  port: number,
  raw: string,
): Promise<{ head: string; rest: Uint8Array }> {
  const bytes = await rawExchange(port, raw);
  const end = indexOfHeadEnd(bytes);
  assert.ok(end > 0, `No complete head in: ${decoder.decode(bytes)}`);
  return {
    head: decoder.decode(bytes.subarray(0, end)),
    rest: bytes.subarray(end + 4),
  };
}

/** Index of the blank line that ends a head, or -1. */
export function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
      bytes[i + 3] === 10
    ) return i;
  }
  return -1;
}

/** Hex SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Sends `raw` and reads the head, then up to `maxBody` body bytes straight
 * into one buffer (no per-chunk copies, which would make a 64 MiB test
 * slow on a loaded machine).
 */
export async function fetchLarge(
  port: number,
  raw: string,
  maxBody: number,
): Promise<{ head: string; body: Uint8Array }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(raw));
    const headBuf = new Uint8Array(16_384);
    let filled = 0;
    let end = -1;
    while (end < 0) {
      const n = await conn.read(headBuf.subarray(filled));
      if (n === null) throw new Error("Closed before the head was complete");
      filled += n;
      end = indexOfHeadEnd(headBuf.subarray(0, filled));
    }
    const body = new Uint8Array(maxBody);
    const early = headBuf.subarray(end + 4, filled);
    body.set(early.subarray(0, maxBody));
    let got = Math.min(early.length, maxBody);
    while (got < maxBody) {
      const n = await conn.read(body.subarray(got));
      if (n === null) break;
      got += n;
    }
    return {
      head: decoder.decode(headBuf.subarray(0, end)),
      body: body.subarray(0, got),
    };
  } finally {
    conn.close();
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `n` bytes of a fixed pseudo-random sequence (xorshift32). */
export function pseudoRandomBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const words = new Uint32Array(Math.ceil(n / 4));
  let x = seed >>> 0;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, n);
}

/**
 * How many descriptors of process `pid` (this one by default) are open on
 * the file at `path`, read from `/proc`; null where there is no `/proc`.
 * Matching by path keeps the count exact while other tests run in the
 * same process.
 */
export function descriptorsOpenOn(
  path: string,
  pid: number | "self" = "self",
): number | null {
  const target = Deno.realPathSync(path);
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`/proc/${pid}/fd`)];
  } catch {
    return null;
  }
  let count = 0;
  for (const entry of entries) {
    try {
      if (Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`) === target) {
        count++;
      }
    } catch {
      // Closed while we looked.
    }
  }
  return count;
}
