/**
 * A deliberately independent raw-TCP HTTP client for tests: it sends exact
 * bytes and parses responses with its own small parser (not lib/), so a
 * bug in the shared codec cannot hide itself.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One parsed response. */
export interface RawResponse {
  /** Status code. */
  status: number;
  /** Reason phrase. */
  reason: string;
  /** Headers by lower-cased name (repeats joined with ", "). */
  headers: Map<string, string>;
  /** Body bytes (de-chunked). */
  body: Uint8Array;
  /** Body as text. */
  text: string;
  /** The head as text. */
  head: string;
}

/** Options for raw exchanges. */
export interface RawOptions {
  /** Host to connect to (default 127.0.0.1). */
  hostname?: string;
  /** Give up reading after this long (default 10 s). */
  timeoutMs?: number;
  /** Half-close the write side after sending (default false). */
  closeWrite?: boolean;
}

/**
 * Connects, writes `request`, and reads until the server closes or the
 * timeout passes. Resolves to every byte received.
 */
export async function rawExchange(
  port: number,
  request: string | Uint8Array,
  options: RawOptions = {},
): Promise<Uint8Array> {
  const conn = await Deno.connect({
    hostname: options.hostname ?? "127.0.0.1",
    port,
  });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, options.timeoutMs ?? 10_000);
  const chunks: Uint8Array[] = [];
  try {
    const bytes = typeof request === "string"
      ? encoder.encode(request)
      : request;
    let off = 0;
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    if (options.closeWrite) await conn.closeWrite();
    const buf = new Uint8Array(65536);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        break;
      }
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  return concat(chunks);
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function indexOfSeq(hay: Uint8Array, needle: number[], from: number): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (hay[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/**
 * Parses every response in `bytes` (pipelined responses come back in
 * order). `methods[i]` tells whether response i answers a HEAD.
 */
export function parseResponses(
  bytes: Uint8Array,
  methods: string[] = [],
): RawResponse[] {
  const out: RawResponse[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const end = indexOfSeq(bytes, [13, 10, 13, 10], pos);
    if (end < 0) {
      throw new Error(
        `Incomplete response head: ${decoder.decode(bytes.subarray(pos))}`,
      );
    }
    const head = decoder.decode(bytes.subarray(pos, end));
    const lines = head.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) throw new Error(`Bad status line: ${lines[0]}`);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const c = line.indexOf(":");
      const k = line.slice(0, c).toLowerCase();
      const v = line.slice(c + 1).trim();
      headers.set(k, headers.has(k) ? `${headers.get(k)}, ${v}` : v);
    }
    const status = Number(m[1]);
    pos = end + 4;
    let body: Uint8Array = new Uint8Array(0);
    const isHead = methods[out.length] === "HEAD";
    if (isHead || status === 204 || status === 304 || status < 200) {
      // no body
    } else if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
      const parts: Uint8Array[] = [];
      for (;;) {
        const lineEnd = indexOfSeq(bytes, [13, 10], pos);
        const size = parseInt(decoder.decode(bytes.subarray(pos, lineEnd)), 16);
        pos = lineEnd + 2;
        if (size === 0) {
          pos = indexOfSeq(bytes, [13, 10], pos) + 2;
          break;
        }
        parts.push(bytes.subarray(pos, pos + size));
        pos += size + 2;
      }
      body = concat(parts);
    } else if (headers.has("content-length")) {
      const n = Number(headers.get("content-length"));
      body = bytes.slice(pos, pos + n);
      pos += n;
    } else {
      body = bytes.slice(pos);
      pos = bytes.length;
    }
    out.push({
      status,
      reason: m[2]!,
      headers,
      body,
      text: decoder.decode(body),
      head,
    });
  }
  return out;
}

/** Sends one request and parses the first response. */
export async function rawRequest(
  port: number,
  request: string | Uint8Array,
  options: RawOptions = {},
): Promise<RawResponse> {
  const bytes = await rawExchange(port, request, options);
  if (bytes.length === 0) throw new Error("Server closed without answering");
  const method = typeof request === "string" ? request.split(" ")[0]! : "GET";
  return parseResponses(bytes, [method])[0]!;
}

/** A GET for `path` that asks the server to close afterwards. */
export function get(path: string, extra = ""): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
}
