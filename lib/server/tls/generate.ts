/**
 * Makes a self-signed certificate for localhost without a network or
 * `openssl`: an ECDSA P-256 key from WebCrypto and an X.509 certificate
 * built by the pure-JS `@peculiar/x509`, so a compiled spidey can do it.
 *
 * @module
 */

// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata API
// installed before it loads: this import must stay first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import type { TlsKeyPair } from "./certificate.ts";

/** Names the certificate is valid for (subject alternative names). */
export const LOCALHOST_NAMES = {
  dns: ["localhost"],
  ip: ["127.0.0.1", "::1"],
} as const;

/** How long a generated certificate is valid, in days. */
export const VALID_DAYS = 825;

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

/**
 * Generates a key and a self-signed certificate for localhost. It is a
 * leaf (CA:FALSE, serverAuth): rustls, and so Deno clients such as thor,
 * reject a CA certificate used as a server's own.
 */
export async function generateLocalhostPair(
  now = new Date(),
): Promise<TlsKeyPair> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ]);
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f; // A positive serial number.
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Array.from(serial, (b) => b.toString(16).padStart(2, "0"))
      .join(""),
    name: "CN=localhost, O=spidey self-signed",
    // An hour back, for clocks that disagree a little.
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...LOCALHOST_NAMES.dns.map((value) => ({
          type: "dns" as const,
          value,
        })),
        ...LOCALHOST_NAMES.ip.map((value) => ({ type: "ip" as const, value })),
      ]),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    cert: `${cert.toString("pem")}\n`,
    key: `${x509.PemConverter.encode(pkcs8, "PRIVATE KEY")}\n`,
  };
}
