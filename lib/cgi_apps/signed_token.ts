/**
 * Signing state that a page hands to the browser and gets back (a hidden
 * field, a link), so the server can trust it without keeping per-visitor
 * files: HMAC-SHA256 with a server secret, in base64url. A `scope` goes
 * into every signature, so a token made for one purpose or one version of
 * the data is refused by another.
 *
 * @module
 */

const encoder = new TextEncoder();
const BASE64URL = /^[A-Za-z0-9_-]{43}$/;

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Signs and checks strings with one key and scope. */
export class TokenSigner {
  readonly #key: CryptoKey;
  readonly #scope: string;

  private constructor(key: CryptoKey, scope: string) {
    this.#key = key;
    this.#scope = scope;
  }

  /** A signer with the raw HMAC key `secret`, for tokens of `scope`. */
  static async create(
    secret: Uint8Array<ArrayBuffer>,
    scope: string,
  ): Promise<TokenSigner> {
    const key = await crypto.subtle.importKey(
      "raw",
      secret,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new TokenSigner(key, scope);
  }

  #message(value: string): Uint8Array<ArrayBuffer> {
    // The scope is length-prefixed so no scope/value split is ambiguous.
    return encoder.encode(`${this.#scope.length}:${this.#scope}:${value}`);
  }

  /** The signature of `value` (43 base64url characters). */
  async sign(value: string): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      this.#key,
      this.#message(value),
    );
    return toBase64Url(new Uint8Array(mac));
  }

  /** True when `signature` was made by {@linkcode sign} for `value`. */
  async verify(value: string, signature: string): Promise<boolean> {
    if (!BASE64URL.test(signature)) return false;
    // crypto.subtle.verify compares in constant time, so the answer's
    // timing tells nothing about how much of a forgery was right.
    return await crypto.subtle.verify(
      "HMAC",
      this.#key,
      fromBase64Url(signature),
      this.#message(value),
    );
  }
}
