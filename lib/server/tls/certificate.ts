/**
 * A server certificate and key read from PEM files, checked enough to
 * fail at start with one line instead of at the first handshake, and the
 * certificate's SHA-256 fingerprint as browsers and `openssl` print it.
 *
 * @module
 */

import { UsageError } from "../../common/flags.ts";
import { describeError } from "../../common/net.ts";

/** A certificate chain and its private key, both PEM. */
export interface TlsKeyPair {
  /** The certificate chain, leaf first. */
  cert: string;
  /** The private key (PKCS#8, PKCS#1 or SEC1). */
  key: string;
}

const CERT_BLOCK =
  /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/;

function readPem(what: string, path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    throw new UsageError(
      `Cannot read TLS ${what} ${path}: ${describeError(err)}`,
    );
  }
}

/**
 * Reads `certFile` and `keyFile`.
 *
 * @throws {UsageError} when a file cannot be read or holds no PEM block of
 * its kind.
 */
export function loadKeyPair(certFile: string, keyFile: string): TlsKeyPair {
  const cert = readPem("certificate", certFile);
  if (!CERT_BLOCK.test(cert)) {
    throw new UsageError(
      `TLS certificate ${certFile} holds no PEM certificate`,
    );
  }
  const key = readPem("key", keyFile);
  if (!KEY_BLOCK.test(key)) {
    throw new UsageError(`TLS key ${keyFile} holds no PEM private key`);
  }
  return { cert, key };
}

/** The DER bytes of the first certificate in `pem`, or null. */
export function firstCertificateDer(
  pem: string,
): Uint8Array<ArrayBuffer> | null {
  const match = CERT_BLOCK.exec(pem);
  if (match === null) return null;
  try {
    return Uint8Array.fromBase64(match[1]!.replace(/\s+/g, ""));
  } catch {
    return null;
  }
}

/**
 * The SHA-256 fingerprint of the first certificate in `pem` as
 * colon-separated upper-case hex (`AB:CD:…`), or null when there is none.
 */
export async function certificateFingerprint(
  pem: string,
): Promise<string | null> {
  const der = firstCertificateDer(pem);
  if (der === null) return null;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0"))
    .join(":").toUpperCase();
}
