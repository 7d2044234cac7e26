/**
 * `spidey --redirect-http PORT`: a plain-HTTP listener that answers every
 * request with a redirect to the same host, path and query over https
 * (301 for GET and HEAD, 308 otherwise so a POST stays a POST).
 *
 * @module
 */

import { logDebug } from "../../common/log.ts";
import {
  bracketHost,
  closeQuietly,
  hostWithoutPort,
  listenTcp,
  writeAll,
} from "../../common/net.ts";

/** The largest request head read before answering anyway. */
const MAX_HEAD_BYTES = 16_384;
/** Time a client has to send its request head. */
const HEAD_TIMEOUT_MS = 10_000;

/** A running redirect listener. */
export interface RedirectServer {
  /** The address bound. */
  addr: Deno.NetAddr;
  /** Stops accepting and closes open connections. */
  close(): void;
}

/** What the redirect needs from a request head. */
export interface RedirectRequest {
  /** The method. */
  method: string;
  /** The request-target (origin or absolute form). */
  target: string;
  /** The `Host` value, or "" without one. */
  host: string;
}

/** Reads the request line and `Host` of a head, or null when malformed. */
export function parseRedirectRequest(head: string): RedirectRequest | null {
  const lines = head.split("\r\n");
  const parts = (lines[0] ?? "").split(" ");
  if (parts.length !== 3 || !/^HTTP\/1\.[01]$/.test(parts[2]!)) return null;
  let host = "";
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).toLowerCase() === "host") {
      host = line.slice(colon + 1).trim();
    }
  }
  return { method: parts[0]!, target: parts[1]!, host };
}

/**
 * The https URL for `req` on `httpsPort`: its host without the plain
 * port (else `fallbackHost`), the port unless 443, its path and query.
 */
export function redirectLocation(
  req: RedirectRequest,
  httpsPort: number,
  fallbackHost: string,
): string {
  let host = req.host;
  let path = req.target;
  const absolute = /^https?:\/\/([^/?#]*)(.*)$/i.exec(path);
  if (absolute !== null) {
    host = absolute[1]!;
    path = absolute[2]!;
  }
  if (!path.startsWith("/")) path = `/${path === "*" ? "" : path}`;
  host = host === "" ? bracketHost(fallbackHost) : hostWithoutPort(host);
  // Only characters a Host may hold: nothing that could split the header.
  if (!/^[A-Za-z0-9.\-_~:[\]%]+$/.test(host)) host = bracketHost(fallbackHost);
  const port = httpsPort === 443 ? "" : `:${httpsPort}`;
  return `https://${host}${port}${
    path.replace(/[^\x21-\x7e]/g, encodeURIComponent)
  }`;
}

/** The whole redirect response for `req`. */
export function redirectResponse(
  req: RedirectRequest | null,
  httpsPort: number,
  fallbackHost: string,
): string {
  if (req === null) {
    return "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  }
  const location = redirectLocation(req, httpsPort, fallbackHost);
  const safe = req.method === "GET" || req.method === "HEAD";
  const status = safe ? "301 Moved Permanently" : "308 Permanent Redirect";
  return `HTTP/1.1 ${status}\r\nLocation: ${location}\r\n` +
    "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

/** Reads up to the end of a request head (or the limit, or EOF). */
async function readHead(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(MAX_HEAD_BYTES);
  let used = 0;
  const decoder = new TextDecoder("latin1");
  while (used < buf.length) {
    const n = await conn.read(buf.subarray(used));
    if (n === null) break;
    used += n;
    const text = decoder.decode(buf.subarray(0, used));
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) return text.slice(0, end);
  }
  return decoder.decode(buf.subarray(0, used));
}

/**
 * Listens on `hostname`:`port` and redirects every request to https on
 * `httpsPort`; `fallbackHost` names the server for a request without
 * `Host` (HTTP/1.0).
 *
 * @throws {ListenError} when the port cannot be bound.
 */
export function startRedirectServer(
  hostname: string,
  port: number,
  httpsPort: number,
  fallbackHost: string,
): RedirectServer {
  const listener = listenTcp(hostname, port);
  const open = new Set<Deno.Conn>();
  async function answer(conn: Deno.Conn): Promise<void> {
    open.add(conn);
    const timer = setTimeout(() => closeQuietly(conn), HEAD_TIMEOUT_MS);
    try {
      const head = await readHead(conn);
      const response = redirectResponse(
        parseRedirectRequest(head),
        httpsPort,
        fallbackHost,
      );
      await writeAll(conn, new TextEncoder().encode(response));
    } catch (err) {
      logDebug(`Redirect connection failed: ${String(err)}`);
    } finally {
      clearTimeout(timer);
      open.delete(conn);
      closeQuietly(conn);
    }
  }
  (async () => {
    try {
      for await (const conn of listener) answer(conn);
    } catch {
      // The listener was closed.
    }
  })();
  return {
    addr: listener.addr,
    close() {
      closeQuietly(listener);
      for (const conn of open) closeQuietly(conn);
    },
  };
}
