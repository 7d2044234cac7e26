/**
 * TLS at spidey's start, in the process that owns the command line (not
 * in `-w` workers, which get the resolved files): make or reuse the
 * `--https` certificate, check the key pair once, say which certificate
 * is served, and start the `--redirect-http` listener.
 *
 * @module
 */

import { logInfo } from "../../common/log.ts";
import { formatHostPort } from "../../common/net.ts";
import { type ServerConfig, servesTls } from "../core/config.ts";
import { certificateFingerprint, loadKeyPair } from "./certificate.ts";
import { checkKeyPair } from "./listen.ts";
import { type RedirectServer, startRedirectServer } from "./redirect.ts";
import { cacheFolder, ensureSelfSigned } from "./self_signed.ts";

/**
 * `config` with its TLS files resolved (the `--https` certificate made or
 * reused) and checked; logs the certificate's path and fingerprint.
 *
 * @throws {UsageError} when a file cannot be read, written or used.
 */
export async function prepareTls(config: ServerConfig): Promise<ServerConfig> {
  if (!servesTls(config)) return config;
  let resolved = config;
  if (config.tlsCertFile === "") {
    const made = await ensureSelfSigned(cacheFolder());
    resolved = {
      ...config,
      tlsCertFile: made.certFile,
      tlsKeyFile: made.keyFile,
    };
    logInfo(
      made.created
        ? `Made a self-signed certificate for localhost: ${made.certFile}`
        : `Using the self-signed certificate ${made.certFile}`,
    );
  }
  const files = {
    certFile: resolved.tlsCertFile,
    keyFile: resolved.tlsKeyFile,
  };
  const pair = loadKeyPair(files.certFile, files.keyFile);
  checkKeyPair(pair, files);
  const fingerprint = await certificateFingerprint(pair.cert);
  logInfo(
    `TLS certificate ${files.certFile}, SHA-256 fingerprint ${fingerprint}`,
  );
  return resolved;
}

/**
 * Starts the `--redirect-http` listener to https on `httpsPort`, or
 * returns null when it was not asked for.
 *
 * @throws {ListenError} when its port cannot be bound.
 */
export function startHttpsRedirect(
  config: ServerConfig,
  httpsPort: number,
): RedirectServer | null {
  if (config.redirectHttpPort < 0) return null;
  const unspecified = config.hostname === "0.0.0.0" ||
    config.hostname === "::";
  const redirect = startRedirectServer(
    config.hostname,
    config.redirectHttpPort,
    httpsPort,
    unspecified ? "localhost" : config.hostname,
  );
  logInfo(
    `Redirecting http on ${
      formatHostPort(config.hostname, redirect.addr.port)
    } to https on port ${httpsPort}`,
  );
  return redirect;
}
