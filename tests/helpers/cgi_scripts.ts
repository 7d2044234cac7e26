/**
 * Helpers for the CGI integration tests: temporary docroots that clean up
 * after themselves, incremental raw reads, and watching script processes
 * through /proc.
 *
 * @module
 */

import { concat } from "./raw_http.ts";
import { type DocrootSpec, makeDocroot } from "./spidey_process.ts";

/** An executable POSIX sh script for {@linkcode makeDocroot}. */
export function shScript(body: string): { content: string; mode: number } {
  return { content: `#!/bin/sh\n${body}`, mode: 0o755 };
}

/** A temporary docroot removed at the end of the scope that holds it. */
export async function tempDocroot(
  files: DocrootSpec,
): Promise<{ path: string } & AsyncDisposable> {
  const path = await makeDocroot(files);
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** Parses `NAME=value` lines (as `env` prints them) into a map. */
export function envLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** Writes every byte of `bytes` to `conn`. */
export async function writeAll(
  conn: Deno.Conn,
  bytes: Uint8Array,
): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/**
 * Reads from `conn` into `sofar` until `done(all bytes so far)` holds
 * (true) or the peer closes (false).
 */
export async function readUntil(
  conn: Deno.Conn,
  sofar: Uint8Array[],
  done: (all: Uint8Array) => boolean,
): Promise<boolean> {
  const buf = new Uint8Array(65536);
  for (;;) {
    if (done(concat(sofar))) return true;
    const n = await conn.read(buf);
    if (n === null) return false;
    sofar.push(buf.slice(0, n));
  }
}

/** True while process `pid` runs (a zombie counts as gone). */
export function processExists(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // A zombie has exited; only its parent has not collected it yet.
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Waits up to `timeoutMs` for process `pid` to end; false if it did not. */
export async function waitGone(
  pid: number,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processExists(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Waits for a script to write its pid into `path`, and reads it. */
export async function readPid(
  path: string,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const text = (await Deno.readTextFile(path)).trim();
      if (text !== "") return Number(text);
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) throw new Error(`No pid in ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
