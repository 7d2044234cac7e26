/**
 * The environment of a CGI/1.1 script (RFC 3875 section 4.1): built fresh
 * for every request from the request and the server alone, so nothing of
 * the server's own environment (tokens, keys, `LD_PRELOAD`…) ever reaches
 * a script.
 *
 * @module
 */

import { hostWithoutPort } from "../../common/net.ts";
import type { HttpRequest } from "../core/request.ts";
import { SERVER_SOFTWARE } from "../core/response_writer.ts";

/** What the environment says about the script being run. */
export interface CgiScriptPaths {
  /** The script's path on disk. */
  fsPath: string;
  /** The URL path that names it (`SCRIPT_NAME`). */
  scriptName: string;
  /** The rest of the URL path after it, decoded (`PATH_INFO`, may be ""). */
  pathInfo: string;
}

/** What the environment says about the server. */
export interface CgiServerInfo {
  /** The document root's real path (`DOCUMENT_ROOT`). */
  root: string;
  /** The port actually bound (`SERVER_PORT`). */
  port: number;
  /** The bound address, the `SERVER_NAME` of a request without a host. */
  bindAddress: string;
  /** `PATH` for scripts (see {@linkcode cgiSearchPath}). */
  searchPath: string;
  /** True over TLS: scripts get `HTTPS=on` and `REQUEST_SCHEME=https`. */
  https?: boolean;
}

/** The directories every script may search for programs. */
export const CGI_BASE_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * The `PATH` given to scripts: {@linkcode CGI_BASE_PATH}, plus the folder
 * of the running deno when spidey is not a compiled binary, so that
 * `#!/usr/bin/env -S deno run` scripts work even when that deno is not on
 * the standard path (e.g. started through npx). Compute it once.
 */
export function cgiSearchPath(): string {
  if (Deno.build.standalone) return CGI_BASE_PATH;
  let exec: string;
  try {
    exec = Deno.execPath();
  } catch {
    return CGI_BASE_PATH;
  }
  const dir = exec.slice(0, exec.lastIndexOf("/"));
  if (dir === "" || CGI_BASE_PATH.split(":").includes(dir)) {
    return CGI_BASE_PATH;
  }
  return `${CGI_BASE_PATH}:${dir}`;
}

/**
 * Request headers never passed as `HTTP_*`:
 * - `proxy`: httpoxy (CVE-2016-5385): many HTTP libraries read a proxy
 *   from `HTTP_PROXY`, so a client could route the script's own outgoing
 *   requests through a server of its choosing.
 * - `authorization`, `proxy-authorization`: credentials. spidey checks
 *   them itself (`--auth`), and a script is not the party the client meant
 *   to trust with them (a script in a shared cgi-bin could harvest another
 *   script's passwords); Apache withholds them for the same reason unless
 *   `CGIPassAuth` is on. With `--auth`, scripts get `REMOTE_USER`.
 * - `content-length`, `content-type`: already `CONTENT_LENGTH` and
 *   `CONTENT_TYPE` (RFC 3875 section 4.1.18 says to drop the duplicates).
 */
const WITHHELD_HEADERS: ReadonlySet<string> = new Set([
  "proxy",
  "authorization",
  "proxy-authorization",
  "content-length",
  "content-type",
]);

// Only letters, digits and `-`: `_` would let `X_Foo` pose as `X-Foo` once
// both map to HTTP_X_FOO (Apache drops such names too).
const PASSABLE_HEADER_NAME = /^[A-Za-z0-9-]+$/;

/** The `HTTP_*` variable for a request header, or null when withheld. */
export function headerVariableName(name: string): string | null {
  const lower = name.toLowerCase();
  if (WITHHELD_HEADERS.has(lower) || !PASSABLE_HEADER_NAME.test(lower)) {
    return null;
  }
  return "HTTP_" + lower.toUpperCase().replaceAll("-", "_");
}

/**
 * Builds the complete environment of one script run for `req`, whose body
 * the script gets on stdin as `bodyLength` bytes (a chunked body decoded).
 */
export function buildCgiEnv(
  req: HttpRequest,
  script: CgiScriptPaths,
  server: CgiServerInfo,
  bodyLength: number,
): Record<string, string> {
  const serverName = hostWithoutPort(req.host);
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_SOFTWARE,
    SERVER_NAME: serverName === "" ? server.bindAddress : serverName,
    SERVER_PORT: String(server.port),
    SERVER_PROTOCOL: req.version,
    REQUEST_METHOD: req.method,
    REQUEST_URI: req.target,
    QUERY_STRING: req.query,
    SCRIPT_NAME: script.scriptName,
    SCRIPT_FILENAME: script.fsPath,
    PATH_INFO: script.pathInfo,
    DOCUMENT_ROOT: server.root,
    REMOTE_ADDR: req.remoteAddr,
    // No reverse DNS: it costs a lookup per request and a PTR record is
    // whatever the client's network says it is.
    REMOTE_HOST: req.remoteAddr,
    REMOTE_PORT: String(req.remotePort),
    PATH: server.searchPath,
  };
  // Not in RFC 3875; the names Apache uses, which scripts look for.
  if (server.https) {
    env.HTTPS = "on";
    env.REQUEST_SCHEME = "https";
  }
  // RFC 3875 sections 4.1.1 and 4.1.11: set once spidey checked the
  // credentials itself (the header stays withheld, see below).
  if (req.remoteUser !== undefined) {
    env.AUTH_TYPE = "Basic";
    env.REMOTE_USER = req.remoteUser;
  }
  if (script.pathInfo !== "") {
    env.PATH_TRANSLATED = server.root + script.pathInfo;
  }
  const contentType = req.headers.get("content-type");
  if (contentType !== undefined) env.CONTENT_TYPE = contentType;
  if (
    bodyLength > 0 || req.headers.has("content-length") ||
    req.headers.has("transfer-encoding")
  ) {
    env.CONTENT_LENGTH = String(bodyLength);
  }
  for (const [name, value] of req.headers) {
    const variable = headerVariableName(name);
    if (variable !== null) env[variable] = value;
  }
  return env;
}
