/**
 * A random secret kept in a file (in the data folder, outside the document
 * root), made on first use. Concurrent first uses agree on one secret:
 * each writes a complete candidate to a file of its own and hard-links it
 * to the final name, which only the first can do; the others read the
 * winner. A reader therefore never sees a half-written key.
 *
 * @module
 */

/** The secret file exists but does not hold a key. */
export class SecretKeyError extends Error {
  /** Always `BAD_SECRET_KEY`. */
  readonly code = "BAD_SECRET_KEY";

  /** Creates the error for the file at `path`. */
  constructor(path: string) {
    super(
      `${path} does not hold a 64-digit hex key; delete it to make a new one`,
    );
    this.name = "SecretKeyError";
  }
}

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-f]{64}$/;

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function readKey(path: string): Uint8Array<ArrayBuffer> | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(path).trim();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  if (!HEX_KEY.test(text)) throw new SecretKeyError(path);
  return fromHex(text);
}

/**
 * The 32-byte key in the file at `path` (hex, mode 0600), made from
 * `crypto.getRandomValues` when the file does not exist yet.
 *
 * @throws {SecretKeyError} when the file holds something else.
 */
export function loadOrCreateKey(path: string): Uint8Array<ArrayBuffer> {
  const existing = readKey(path);
  if (existing !== null) return existing;
  const candidate = `${path}.${Deno.pid}.${
    toHex(crypto.getRandomValues(new Uint8Array(4)))
  }`;
  Deno.writeTextFileSync(
    candidate,
    toHex(crypto.getRandomValues(new Uint8Array(KEY_BYTES))) + "\n",
    { createNew: true, mode: 0o600 },
  );
  try {
    Deno.linkSync(candidate, path);
  } catch (err) {
    // Another process made the key first: use that one.
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  } finally {
    Deno.removeSync(candidate);
  }
  const key = readKey(path);
  if (key === null) throw new SecretKeyError(path);
  return key;
}
