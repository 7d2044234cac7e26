/**
 * `--targets FILE`: several requests to send round-robin, in vegeta's
 * "http" target format:
 *
 * ```
 * GET http://127.0.0.1:9234/a
 * X-Trace: 1
 *
 * POST http://127.0.0.1:9235/form
 * Content-Type: application/x-www-form-urlencoded
 * @/path/to/body
 * ```
 *
 * A target is a `METHOD URL` line, then optional `Name: value` header
 * lines, then an optional `@FILE` line whose file is the body (a relative
 * path is relative to the current directory, as in vegeta). Blank lines
 * separate targets and `#` lines are comments. Weighting, as in vegeta:
 * list a target several times to send it that many times per round; the
 * identical copies (method, URL, headers and body) are reported as one
 * target with that weight.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { type HeaderList, isToken } from "../http/header_fields.ts";
import { parseHeaderFlag } from "./header_flag.ts";
import {
  InvalidUrlError,
  parseTargetUrl,
  type TargetUrl,
} from "./target_url.ts";

/** One distinct request of a `--targets` run. */
export interface RequestTarget {
  /** Where it goes. */
  url: TargetUrl;
  /** Its method. */
  method: string;
  /** Its own header fields, in order (`-H` ones are added when planning). */
  headers: HeaderList;
  /** Its body, or null. */
  body: Uint8Array | null;
  /** Times it is sent per round: how often the file lists it. */
  weight: number;
}

/** Most targets a file may hold (before identical ones are folded). */
export const MAX_TARGETS = 100_000;

/** A `METHOD URL` line: a token, one space, then no further space. */
const REQUEST_LINE = /^([^\s:]+) +(\S+)$/;

/**
 * A key that two targets sending the same bytes share: method, URL,
 * headers, and the body's length and FNV-1a hash (a bucket of the map is
 * then checked byte by byte, so a hash collision folds nothing).
 */
function requestKey(t: RequestTarget): string {
  let hash = 0x811c9dc5;
  const body = t.body ?? new Uint8Array(0);
  for (let i = 0; i < body.length; i++) {
    hash = Math.imul(hash ^ body[i]!, 0x01000193);
  }
  return JSON.stringify([t.method, t.url.input, t.headers, body.length, hash]);
}

/** Two targets that would send the same bytes. */
function sameRequest(a: RequestTarget, b: RequestTarget): boolean {
  if (a.method !== b.method || a.url.input !== b.url.input) return false;
  if (a.headers.length !== b.headers.length) return false;
  for (let i = 0; i < a.headers.length; i++) {
    const [an, av] = a.headers[i]!;
    const [bn, bv] = b.headers[i]!;
    if (an !== bn || av !== bv) return false;
  }
  const ab = a.body ?? new Uint8Array(0);
  const bb = b.body ?? new Uint8Array(0);
  return ab.length === bb.length && ab.every((byte, i) => byte === bb[i]);
}

/**
 * Parses the text of a targets file; `file` names it in errors, and
 * `readBody` reads an `@FILE` body.
 *
 * @throws {UsageError} naming the file and line for the first bad line,
 *   or when the file holds no target.
 */
export function parseTargets(
  text: string,
  file: string,
  readBody: (path: string) => Uint8Array = Deno.readFileSync,
): RequestTarget[] {
  const targets: RequestTarget[] = [];
  // Folding identical targets by key keeps a large file's parse linear.
  const byKey = new Map<string, RequestTarget[]>();
  let current: RequestTarget | null = null;
  let listed = 0;
  const fail = (line: number, why: string): never => {
    throw new UsageError(`Targets file ${file} line ${line}: ${why}`);
  };
  const finish = () => {
    if (current === null) return;
    const key = requestKey(current);
    const bucket = byKey.get(key);
    const same = bucket?.find((t) => sameRequest(t, current!));
    if (same !== undefined) same.weight++;
    else {
      targets.push(current);
      if (bucket === undefined) byKey.set(key, [current]);
      else bucket.push(current);
    }
    current = null;
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    const line = lines[i]!.replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "") {
      finish();
      continue;
    }
    if (trimmed.startsWith("#")) continue;
    const request = REQUEST_LINE.exec(trimmed);
    if (request !== null) {
      finish();
      const method = request[1]!;
      if (!isToken(method)) fail(number, `method "${method}" is not a token`);
      let url: TargetUrl;
      try {
        url = parseTargetUrl(request[2]!);
      } catch (err) {
        if (!(err instanceof InvalidUrlError)) throw err;
        return fail(number, err.message);
      }
      if (++listed > MAX_TARGETS) {
        fail(number, `more than ${MAX_TARGETS} targets`);
      }
      current = { url, method, headers: [], body: null, weight: 1 };
      continue;
    }
    if (current === null) {
      fail(number, `expected "METHOD URL", got "${trimmed}"`);
    }
    const target: RequestTarget = current!;
    if (trimmed.startsWith("@")) {
      if (target.body !== null) fail(number, "a target has one body only");
      const path = trimmed.slice(1);
      try {
        target.body = readBody(path);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        fail(number, `cannot read body file ${path}: ${reason}`);
      }
      continue;
    }
    if (target.body !== null) fail(number, "headers must come before @body");
    try {
      target.headers.push(parseHeaderFlag(trimmed));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      fail(number, err.message.charAt(0).toLowerCase() + err.message.slice(1));
    }
  }
  finish();
  if (targets.length === 0) {
    throw new UsageError(`Targets file ${file} holds no target`);
  }
  return targets;
}

/**
 * Reads and parses `--targets FILE`.
 *
 * @throws {UsageError} when the file cannot be read or is not valid.
 */
export function readTargetsFile(file: string): RequestTarget[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`Cannot read targets file ${file}: ${reason}`);
  }
  return parseTargets(text, file);
}

/**
 * The order targets are sent in, one round: each target index `weight`
 * times, in file order of first appearance.
 */
export function targetRound(targets: readonly RequestTarget[]): number[] {
  const round: number[] = [];
  targets.forEach((t, i) => {
    for (let n = 0; n < t.weight; n++) round.push(i);
  });
  return round;
}
