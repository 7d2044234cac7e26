/**
 * The TLS listener of `spidey --cert/--key/--https`: `Deno.listenTls`,
 * whose connections are raw `Deno.Conn`s (the handshake runs on first
 * read), so they go through the same request path as plain TCP. With
 * `reusePort` (`-w` workers) it needs `--unstable-net`, which deno.json
 * enables.
 *
 * @module
 */

import { UsageError } from "../../common/flags.ts";
import { describeError, listenError } from "../../common/net.ts";
import type { TlsKeyPair } from "./certificate.ts";

/** Where the key pair came from, for error messages. */
export interface TlsFiles {
  /** The certificate file. */
  certFile: string;
  /** The key file. */
  keyFile: string;
}

/** Deno's errors for key material it cannot use (not for the socket). */
function isKeyMaterialError(err: unknown): boolean {
  return err instanceof Deno.errors.InvalidData ||
    (err instanceof Error &&
      /certificate|private key|keys may not be consistent/i.test(err.message));
}

/**
 * Binds a TLS listener on `hostname`:`port` serving `pair`.
 *
 * @throws {UsageError} when the certificate or key cannot be used (a key
 * that does not match the certificate, a corrupt PEM block).
 * @throws {ListenError} when the port is taken or the address unusable.
 */
export function listenTlsServer(
  hostname: string,
  port: number,
  pair: TlsKeyPair,
  files: TlsFiles,
  reusePort = false,
): Deno.TlsListener {
  try {
    return Deno.listenTls({
      hostname,
      port,
      transport: "tcp",
      reusePort,
      cert: pair.cert,
      key: pair.key,
    });
  } catch (err) {
    if (isKeyMaterialError(err)) {
      throw new UsageError(
        `TLS certificate ${files.certFile} and key ${files.keyFile} cannot be used: ${
          describeError(err)
        }`,
      );
    }
    throw listenError(err, hostname, port);
  }
}

/**
 * Checks that `pair` makes a working TLS listener, on a throwaway
 * loopback port: how a `-w` parent, which serves nothing itself, fails
 * at start rather than in every worker.
 *
 * @throws {UsageError} as {@linkcode listenTlsServer} does.
 */
export function checkKeyPair(pair: TlsKeyPair, files: TlsFiles): void {
  listenTlsServer("127.0.0.1", 0, pair, files).close();
}
