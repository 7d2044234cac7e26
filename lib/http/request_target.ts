/**
 * Interpretation of a request-target (RFC 9112 section 3.2): its form, its
 * path percent-decoded exactly once, and its query string.
 *
 * @module
 */

import { HttpError } from "./errors.ts";

/** The parts of a request-target a server acts on. */
export interface RequestTarget {
  /** Which of the four forms the target took. */
  form: "origin" | "absolute" | "asterisk";
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  /** The path percent-decoded once, as UTF-8. */
  path: string;
  /** The query string without its `?` (empty when absent), still encoded. */
  query: string;
  /** The authority of an absolute-form target, which overrides `Host`. */
  authority?: string;
}

const ABSOLUTE = /^https?:\/\/([^/?#]*)(.*)$/i;
// uri-host [":" port]: an IP literal or a reg-name (RFC 3986 section 3.2.2).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+;=%]*)(?::\d*)?$/;

/**
 * True when `value` is a valid `Host` field value or authority: a host
 * and optional port, without userinfo, path or list commas.
 */
export function isValidHost(value: string): boolean {
  return HOST.test(value);
}
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits and decodes a request-target.
 *
 * @throws {HttpError} 400 for a malformed target, bad percent-encoding,
 * invalid UTF-8, or a NUL byte in the decoded path.
 */
export function parseRequestTarget(
  target: string,
  method: string,
): Readonly<RequestTarget> {
  // A client asking for the same target again (the request head parser
  // hands back the same string) gets the same parts: no second decoding,
  // and a path string whose hash the caches' lookups computed already.
  if (target === lastTarget && method !== "CONNECT" && target !== "*") {
    return lastParts;
  }
  const parts = splitTarget(target, method);
  lastTarget = target;
  lastParts = parts;
  return parts;
}

let lastTarget = "";
let lastParts: Readonly<RequestTarget> = {
  form: "origin",
  rawPath: "",
  path: "",
  query: "",
};

/** {@linkcode parseRequestTarget} without the reuse. */
function splitTarget(target: string, method: string): RequestTarget {
  if (method === "CONNECT") {
    // Tunnels are a proxy's job; this is an origin server.
    throw new HttpError(405, "CONNECT_NOT_ALLOWED", "CONNECT is not allowed", [
      ["Allow", "GET, HEAD, POST, OPTIONS"],
    ]);
  }
  if (target === "*") {
    if (method !== "OPTIONS") {
      throw new HttpError(400, "BAD_TARGET", "Asterisk target needs OPTIONS");
    }
    return { form: "asterisk", rawPath: "*", path: "*", query: "" };
  }
  let rest = target;
  let form: RequestTarget["form"] = "origin";
  let authority: string | undefined;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const m = ABSOLUTE.exec(target);
    if (m === null) {
      throw new HttpError(400, "BAD_TARGET", "Request target is not a path");
    }
    form = "absolute";
    authority = m[1]!;
    if (authority === "" || !HOST.test(authority)) {
      throw new HttpError(400, "BAD_TARGET", "Request target has a bad host");
    }
    rest = m[2] === "" ? "/" : m[2]!;
    if (rest.charCodeAt(0) === 63 /* ? */) rest = "/" + rest;
  }
  if (rest.includes("#")) {
    throw new HttpError(400, "BAD_TARGET", "Request target holds a fragment");
  }
  const q = rest.indexOf("?");
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? "" : rest.slice(q + 1);
  const path = decodePath(rawPath);
  const out: RequestTarget = { form, rawPath, path, query };
  if (authority !== undefined) out.authority = authority;
  return out;
}

/**
 * Percent-decodes a path once and checks it is UTF-8 without NUL bytes.
 *
 * @throws {HttpError} 400 otherwise.
 */
export function decodePath(rawPath: string): string {
  if (!rawPath.includes("%")) return rawPath;
  const bytes = new Uint8Array(rawPath.length);
  let n = 0;
  for (let i = 0; i < rawPath.length; i++) {
    const c = rawPath.charCodeAt(i);
    if (c === 37 /* % */) {
      const hi = hexValue(rawPath.charCodeAt(i + 1));
      const lo = hexValue(rawPath.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) {
        throw new HttpError(400, "BAD_ENCODING", "Malformed percent-encoding");
      }
      const b = hi * 16 + lo;
      if (b === 0) {
        throw new HttpError(400, "NUL_IN_PATH", "Path holds a NUL byte");
      }
      bytes[n++] = b;
      i += 2;
    } else {
      bytes[n++] = c;
    }
  }
  try {
    return utf8.decode(bytes.subarray(0, n));
  } catch {
    throw new HttpError(400, "BAD_ENCODING", "Path is not valid UTF-8");
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Percent-encodes a decoded path for use in an href or `Location`. */
export function encodePath(path: string): string {
  return path.split("/").map((seg) => encodeURIComponent(seg)).join("/");
}
