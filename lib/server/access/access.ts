/**
 * The access controls of one server, built from its config: Basic
 * authentication (`--auth`, `--auth-file`), CORS (`--cors`) and extra
 * response headers (`-H`). Checked once at start, where a bad password
 * file or header is a one-line error.
 *
 * @module
 */

import { logDebug } from "../../common/log.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import { type ServerConfig, servesTls } from "../core/config.ts";
import { sendErrorPage } from "../core/error_page.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";
import { AUTH_RETRY_AFTER, BasicAuth } from "./auth.ts";
import { checkCorsOrigins, CorsPolicy } from "./cors.ts";
import { parseExtraHeaders } from "./extra_headers.ts";
import {
  entryFromPair,
  type PasswordEntry,
  readHtpasswdFile,
} from "./htpasswd.ts";

/** What the request handler enforces and adds. */
export interface AccessControl {
  /** Authentication, or null when every request is let in. */
  auth: BasicAuth | null;
  /** CORS, or null when off. */
  cors: CorsPolicy | null;
  /** Headers for every response: `-H` ones, then constant CORS ones. */
  headers: HeaderList;
}

/**
 * Builds the access controls of `config`, reading its password file.
 *
 * @throws {HtpasswdError} for a password file that cannot be used.
 * @throws {ExtraHeaderError} for a bad `-H`.
 * @throws {CorsOriginError} for a bad `--cors`.
 */
export function loadAccessControl(config: ServerConfig): AccessControl {
  const entries: PasswordEntry[] = config.authUsers.map(entryFromPair);
  if (config.authFile !== "") {
    const names = new Set(entries.map((e) => e.user));
    // A user given with --auth wins over the same one in the file.
    for (const e of readHtpasswdFile(config.authFile)) {
      if (!names.has(e.user)) entries.push(e);
    }
  }
  const auth = entries.length > 0
    ? new BasicAuth(entries, config.authRealm)
    : null;
  checkCorsOrigins(config.corsOrigins);
  const cors = config.corsOrigins.length > 0
    ? new CorsPolicy(config.corsOrigins, auth !== null)
    : null;
  const headers = parseExtraHeaders(config.extraHeaders);
  for (const h of cors?.constantHeaders ?? []) headers.push(h);
  return { auth, cors, headers };
}

/** True for a bind address only this machine can reach. */
function isLoopbackBind(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" ||
    hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The warning to log at start, if any: credentials in clear text over a
 * network (Basic sends them with every request, merely base64-encoded).
 */
export function accessWarning(config: ServerConfig): string | null {
  const auth = config.authUsers.length > 0 || config.authFile !== "";
  if (!auth || servesTls(config) || isLoopbackBind(config.hostname)) {
    return null;
  }
  return `Authentication without TLS on ${config.hostname}: passwords cross the network readable (use --https or --cert)`;
}

/** What {@linkcode admitRequest} needs from the request handler. */
export interface AdmitHooks {
  /** The methods the requested resource allows (for a preflight). */
  allowOf(req: HttpRequest): string;
  /** Drops the body of a request answered without reading it. */
  dropBody(req: HttpRequest, res: ResponseWriter): Promise<void>;
}

/**
 * Lets `req` through the access controls, before any dispatch: answers a
 * CORS preflight (without credentials, as browsers send it) or a 401 and
 * returns false, or notes the user on `req` and returns true.
 */
export async function admitRequest(
  access: AccessControl,
  req: HttpRequest,
  res: ResponseWriter,
  hooks: AdmitHooks,
): Promise<boolean> {
  if (access.cors?.isPreflight(req)) {
    await hooks.dropBody(req, res);
    await access.cors.answerPreflight(req, res, hooks.allowOf(req));
    return false;
  }
  if (access.auth === null) return true;
  const outcome = await access.auth.check(req);
  if (outcome.ok) {
    req.remoteUser = outcome.user;
    return true;
  }
  // The reason only: never the credentials.
  logDebug(`${req.peer} | Unauthorized (${outcome.reason})`);
  await hooks.dropBody(req, res);
  if (outcome.reason === "busy") {
    // Every password-check slot is taken: come back rather than re-prompt.
    await sendErrorPage(res, 503, {
      headers: [["Retry-After", AUTH_RETRY_AFTER]],
    });
    return false;
  }
  await sendErrorPage(res, 401, {
    headers: [["WWW-Authenticate", access.auth.challenge]],
  });
  return false;
}
