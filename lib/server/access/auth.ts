/**
 * HTTP Basic authentication (RFC 7617) against a set of users: the
 * `Authorization` header is decoded, the user looked up and the password
 * checked against its stored hash. A bcrypt check takes tens of
 * milliseconds by design, so passwords found good are remembered, keyed
 * by the SHA-256 of the credentials (never the password itself), in a
 * small bounded map: a browser resends the same header with every
 * request, and only the first one pays for bcrypt.
 *
 * Guessing must not cost the server its event loop, nor reveal names:
 * - at most {@linkcode PASSWORD_CHECK_SLOTS} password checks run at once;
 *   a request finding them all busy is refused as "busy" (answered 503
 *   with `Retry-After`, not 401: a browser would prompt its user again on
 *   401, and good credentials already remembered never need a slot);
 * - credentials found wrong are remembered for a short while
 *   ({@linkcode FAILED_CACHE_MS}, at most {@linkcode FAILED_CACHE_LIMIT}
 *   of them), so repeating a wrong guess costs no second check;
 * - an unknown user pays a check against a real entry (result ignored),
 *   so the answer takes as long as for a known user's wrong password.
 *
 * @module
 */

import type { HttpRequest } from "../core/request.ts";
import {
  hashSchemeOf,
  type PasswordEntry,
  sha256Hex,
  verifyPassword,
} from "./htpasswd.ts";

/** The realm of `--auth-realm`'s default. */
export const DEFAULT_REALM = "spidey";
/** Good credentials remembered at most (oldest forgotten first). */
export const VERIFIED_CACHE_LIMIT = 256;
/** Password checks running at once at most; more are refused as busy. */
export const PASSWORD_CHECK_SLOTS = 2;
/** Wrong credentials remembered at most (oldest forgotten first). */
export const FAILED_CACHE_LIMIT = 1024;
/** How long wrong credentials are remembered, in ms. */
export const FAILED_CACHE_MS = 10_000;
/** `Retry-After` of the 503 a busy check is answered with, in seconds. */
export const AUTH_RETRY_AFTER = "1";

/** Tunables of a {@linkcode BasicAuth}; every field has a default. */
export interface BasicAuthOptions {
  /** The realm named in the challenge. */
  realm?: string;
  /** Checks one password (tests pass a spy). */
  verify?: (entry: PasswordEntry, password: string) => Promise<boolean>;
  /** Password checks running at once at most. */
  checkSlots?: number;
  /** How long wrong credentials are remembered, in ms. */
  failedCacheMs?: number;
  /** The clock, in ms. */
  now?: () => number;
}

/** The outcome of checking one request. */
export type AuthOutcome =
  | { ok: true; user: string }
  | {
    ok: false;
    reason:
      | "missing"
      | "malformed"
      | "unknown-user"
      | "wrong-password"
      | "busy";
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
  // SHA-256 of "user:password" → when the failure is forgotten (ms).
  readonly #failed = new Map<string, number>();
  // What unknown users are checked against: the costliest kind there is.
  readonly #decoy: PasswordEntry | undefined;
  readonly #verify: (entry: PasswordEntry, password: string) => Promise<
    boolean
  >;
  readonly #slots: number;
  readonly #failedMs: number;
  readonly #now: () => number;
  #running = 0;

  /**
   * Users `entries` (unique names), in `realm` (or `options.realm` when
   * `realm` is an options object).
   */
  constructor(
    entries: readonly PasswordEntry[],
    realm: string | BasicAuthOptions = DEFAULT_REALM,
  ) {
    const options = typeof realm === "string" ? { realm } : realm;
    this.#users = new Map(entries.map((e) => [e.user, e]));
    this.#decoy = entries.find((e) => hashSchemeOf(e.hash) === "bcrypt") ??
      entries[0];
    this.#verify = options.verify ?? verifyPassword;
    this.#slots = Math.max(1, options.checkSlots ?? PASSWORD_CHECK_SLOTS);
    this.#failedMs = options.failedCacheMs ?? FAILED_CACHE_MS;
    this.#now = options.now ?? Date.now;
    const quoted = (options.realm ?? DEFAULT_REALM)
      .replaceAll("\\", "\\\\").replaceAll('"', '\\"');
    this.challenge = `Basic realm="${quoted}", charset="UTF-8"`;
  }

  /** Password checks running now. */
  get checksRunning(): number {
    return this.#running;
  }

  /** Checks the credentials `req` carries. */
  async check(req: HttpRequest): Promise<AuthOutcome> {
    const header = req.headers.get("authorization");
    if (header === undefined) return { ok: false, reason: "missing" };
    const credentials = parseBasicCredentials(header);
    if (credentials === null) return { ok: false, reason: "malformed" };
    const { user, password } = credentials;
    const entry = this.#users.get(user);
    const key = sha256Hex(`${user}:${password}`);
    const wrong = entry === undefined ? "unknown-user" : "wrong-password";
    if (entry !== undefined && this.#verified.get(key) === entry.hash) {
      return { ok: true, user };
    }
    const forgetAt = this.#failed.get(key);
    if (forgetAt !== undefined) {
      if (forgetAt > this.#now()) return { ok: false, reason: wrong };
      this.#failed.delete(key);
    }
    const against = entry ?? this.#decoy;
    if (against === undefined) return { ok: false, reason: wrong };
    if (this.#running >= this.#slots) return { ok: false, reason: "busy" };
    this.#running++;
    let good: boolean;
    try {
      good = await this.#verify(against, password);
    } finally {
      this.#running--;
    }
    if (entry === undefined || !good) {
      remember(
        this.#failed,
        key,
        this.#now() + this.#failedMs,
        FAILED_CACHE_LIMIT,
      );
      return { ok: false, reason: wrong };
    }
    remember(this.#verified, key, entry.hash, VERIFIED_CACHE_LIMIT);
    return { ok: true, user };
  }
}

/** Sets `key` in `map`, forgetting the oldest entry beyond `limit`. */
function remember<V>(
  map: Map<string, V>,
  key: string,
  value: V,
  limit: number,
): void {
  map.delete(key);
  if (map.size >= limit) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
