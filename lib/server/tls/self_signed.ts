/**
 * `spidey --https`: a self-signed localhost certificate made on first use
 * and kept in the user's cache folder, so browsers that were told to
 * trust it once keep trusting it.
 *
 * @module
 */

import { UsageError } from "../../common/flags.ts";
import { describeError } from "../../common/net.ts";
import { loadKeyPair } from "./certificate.ts";

/** Where a self-signed certificate and its key are kept. */
export interface SelfSignedFiles {
  /** The certificate (PEM). */
  certFile: string;
  /** The private key (PEM, readable by the owner only). */
  keyFile: string;
  /** True when this call made them. */
  created: boolean;
}

/**
 * The cache folder: `$XDG_CACHE_HOME/spidey`, else `~/.cache/spidey`.
 *
 * @throws {UsageError} when neither variable is set.
 */
export function cacheFolder(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string {
  const xdg = env("XDG_CACHE_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg}/spidey`;
  const home = env("HOME");
  if (home === undefined || home === "") {
    throw new UsageError(
      "No cache folder for --https: set XDG_CACHE_HOME or HOME, or use --cert and --key",
    );
  }
  return `${home}/.cache/spidey`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The self-signed localhost certificate in `folder`, made there first if
 * it is not there yet.
 *
 * @throws {UsageError} when the folder cannot be written or the kept
 * files are unreadable.
 */
export async function ensureSelfSigned(
  folder: string,
): Promise<SelfSignedFiles> {
  const certFile = `${folder}/localhost-cert.pem`;
  const keyFile = `${folder}/localhost-key.pem`;
  if (exists(certFile) && exists(keyFile)) {
    loadKeyPair(certFile, keyFile);
    return { certFile, keyFile, created: false };
  }
  // Loaded only here: a server that never makes a certificate does not
  // pay for the X.509 library at start.
  const { generateLocalhostPair } = await import("./generate.ts");
  const pair = await generateLocalhostPair();
  try {
    Deno.mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Key first, then the certificate: a crash in between leaves no
    // certificate without its key, so the next start makes both again.
    Deno.writeTextFileSync(keyFile, pair.key, { mode: 0o600 });
    Deno.writeTextFileSync(certFile, pair.cert, { mode: 0o644 });
  } catch (err) {
    throw new UsageError(
      `Cannot keep the self-signed certificate in ${folder}: ${
        describeError(err)
      }`,
    );
  }
  return { certFile, keyFile, created: true };
}
