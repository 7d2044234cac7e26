/**
 * Password files in the htpasswd format that Apache and nginx read: one
 * `user:hash` per line, `#` comments and blank lines ignored. The hashes
 * understood are bcrypt (`$2y$`, `$2a$`, `$2b$`), `{SHA}` (base64 SHA-1)
 * and Apache MD5 (`$apr1$`). Plain-text and crypt(3) lines are refused
 * at start: Apache itself takes plain text only on Windows and NetWare,
 * and a file that looks like htpasswd but stores clear passwords is more
 * likely a mistake than a wish.
 *
 * @module
 */

import { AccessConfigError } from "./errors.ts";
import { createHash, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import apacheMd5Module from "apache-md5";

// A CommonJS package: its default import is `module.exports`, the
// function itself, though its .d.ts describes an ES module around it.
const apacheMd5 = apacheMd5Module as unknown as (
  password: string,
  salt: string,
) => string;

const encoder = new TextEncoder();

/** How an entry's password is hashed. */
export type HashScheme = "bcrypt" | "sha1" | "apr1" | "sha256";

/** One user of a password file. */
export interface PasswordEntry {
  /** The user name. */
  user: string;
  /** How `hash` was made. */
  scheme: HashScheme;
  /**
   * The stored hash as written (`sha256`: the hex SHA-256 of a password
   * given on the command line, never written anywhere).
   */
  hash: string;
}

/** A password file (or `--auth` value) that cannot be used. */
export class HtpasswdError extends AccessConfigError {
  /** Creates the error with a sentence-case message. */
  constructor(message: string) {
    super("HTPASSWD_INVALID", message);
    this.name = "HtpasswdError";
  }
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
const APR1 = /^\$apr1\$[^$]{1,8}\$[./A-Za-z0-9]{22}$/;
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

/** The scheme of a stored hash, or null when spidey cannot check it. */
export function hashSchemeOf(hash: string): HashScheme | null {
  if (BCRYPT.test(hash)) return "bcrypt";
  if (SHA1.test(hash)) return "sha1";
  if (APR1.test(hash)) return "apr1";
  return null;
}

/**
 * Reads the text of a password file; `name` names it in errors.
 *
 * @throws {HtpasswdError} naming the first line that is not a valid entry.
 */
export function parseHtpasswd(text: string, name: string): PasswordEntry[] {
  const entries: PasswordEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const where = `${name} line ${i + 1}`;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new HtpasswdError(`${where} is not "user:hash"`);
    }
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1).trim();
    const scheme = hashSchemeOf(hash);
    if (scheme === null) {
      throw new HtpasswdError(
        `${where} (user "${user}") has a hash spidey cannot check: use bcrypt (htpasswd -B), {SHA} or $apr1$`,
      );
    }
    if (seen.has(user)) {
      throw new HtpasswdError(`${where} repeats user "${user}"`);
    }
    seen.add(user);
    entries.push({ user, scheme, hash });
  }
  return entries;
}

/**
 * Reads a password file.
 *
 * @throws {HtpasswdError} when it cannot be read or has a bad line.
 */
export function readHtpasswdFile(path: string): PasswordEntry[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "does not exist"
      : "cannot be read";
    throw new HtpasswdError(`Password file "${path}" ${why}`);
  }
  const entries = parseHtpasswd(text, `Password file "${path}"`);
  if (entries.length === 0) {
    throw new HtpasswdError(`Password file "${path}" has no users`);
  }
  return entries;
}

/** The hex SHA-256 of a UTF-8 string (synchronous: it is microseconds). */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * An entry for a `--auth user:password` value, keeping only the
 * password's SHA-256.
 *
 * @throws {HtpasswdError} without a `:` or with an empty user name.
 */
export function entryFromPair(pair: string): PasswordEntry {
  const colon = pair.indexOf(":");
  if (colon <= 0) {
    throw new HtpasswdError('--auth takes "user:password"');
  }
  return {
    user: pair.slice(0, colon),
    scheme: "sha256",
    hash: sha256Hex(pair.slice(colon + 1)),
  };
}

/** Equal-length digests compared in constant time. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two strings in constant time through their SHA-256. */
function sameText(a: string, b: string): boolean {
  return sameDigest(
    createHash("sha256").update(a, "utf8").digest(),
    createHash("sha256").update(b, "utf8").digest(),
  );
}

/** True when `password` is the one `entry` was made from. */
export async function verifyPassword(
  entry: PasswordEntry,
  password: string,
): Promise<boolean> {
  switch (entry.scheme) {
    case "bcrypt":
      // `$2y$` is PHP's name for what bcryptjs calls `$2b$`: same hash.
      return await bcrypt.compare(
        password,
        entry.hash.replace(/^\$2y\$/, "$2b$"),
      );
    case "sha1": {
      const digest = await crypto.subtle.digest(
        "SHA-1",
        encoder.encode(password),
      );
      const stored = Uint8Array.from(
        atob(entry.hash.slice(5)),
        (c) => c.charCodeAt(0),
      );
      return sameDigest(new Uint8Array(digest), stored);
    }
    case "apr1":
      return sameText(apacheMd5(password, entry.hash), entry.hash);
    case "sha256":
      return sameText(sha256Hex(password), entry.hash);
  }
}
