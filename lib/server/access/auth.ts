/**
 * HTTP Basic authentication (RFC 7617) against a set of users: the
 * `Authorization` header is decoded, the user looked up and the password
 * checked against its stored hash. A bcrypt check takes tens of
 * milliseconds by design, so passwords found good are remembered, keyed
 * by the SHA-256 of the credentials (never the password itself), in a
 * small bounded map: a browser resends the same header with every
 * request, and only the first one pays for bcrypt.
 *
 * @module
 */

import type { HttpRequest } from "../core/request.ts";
import { type PasswordEntry, sha256Hex, verifyPassword } from "./htpasswd.ts";

/** The realm of `--auth-realm`'s default. */
export const DEFAULT_REALM = "spidey";
/** Good credentials remembered at most (oldest forgotten first). */
export const VERIFIED_CACHE_LIMIT = 256;

/** The outcome of checking one request. */
export type AuthOutcome =
  | { ok: true; user: string }
  | {
    ok: false;
    reason: "missing" | "malformed" | "unknown-user" | "wrong-password";
  };

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The user and password of a `Basic` credentials header, or null when
 * it is not one (another scheme, bad base64, bad UTF-8, no `:`).
 */
export function parseBasicCredentials(
  header: string,
): { user: string; password: string } | null {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (match === null) return null;
  let text: string;
  try {
    const raw = atob(match[1]!);
    text = decoder.decode(Uint8Array.from(raw, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Checks requests against a fixed set of users. */
export class BasicAuth {
  /** The `WWW-Authenticate` value of a 401. */
  readonly challenge: string;
  readonly #users: ReadonlyMap<string, PasswordEntry>;
  // SHA-256 of "user:password" → the stored hash it was found to match.
  readonly #verified = new Map<string, string>();

  /** Users `entries` (unique names), in `realm`. */
  constructor(entries: readonly PasswordEntry[], realm = DEFAULT_REALM) {
    this.#users = new Map(entries.map((e) => [e.user, e]));
    const quoted = realm.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
    this.challenge = `Basic realm="${quoted}", charset="UTF-8"`;
  }

  /** Checks the credentials `req` carries. */
  async check(req: HttpRequest): Promise<AuthOutcome> {
    const header = req.headers.get("authorization");
    if (header === undefined) return { ok: false, reason: "missing" };
    const credentials = parseBasicCredentials(header);
    if (credentials === null) return { ok: false, reason: "malformed" };
    const { user, password } = credentials;
    const entry = this.#users.get(user);
    if (entry === undefined) return { ok: false, reason: "unknown-user" };
    const key = sha256Hex(`${user}:${password}`);
    if (this.#verified.get(key) === entry.hash) return { ok: true, user };
    if (!await verifyPassword(entry, password)) {
      return { ok: false, reason: "wrong-password" };
    }
    if (this.#verified.size >= VERIFIED_CACHE_LIMIT) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    this.#verified.set(key, entry.hash);
    return { ok: true, user };
  }
}
