/**
 * The address a process connects to, resolved once: IP literals as they
 * are, `localhost` to the loopback address, other names through DNS. Names
 * DNS cannot answer (those only in /etc/hosts, or when DNS is unreachable)
 * go to the system resolver on the first connect, and the address that
 * connection reached is then pinned for the rest of the run. The lookup's
 * time is kept for the report's DNS phase.
 *
 * @module
 */

import type { ConnectTarget } from "./client_connection.ts";

/** How the certificate of an https destination is checked. */
export interface TlsTrust {
  /** Extra trusted certificates (PEM), or null. */
  caCerts: string | null;
  /** The name to check the certificate against, or null for the URL's host. */
  sni: string | null;
}
import type { TargetUrl } from "./target_url.ts";

/** Where one process sends its requests. */
export class Destination {
  /** The URL being hammered. */
  readonly url: TargetUrl;
  #address: string | null = null;
  #lookupMs: number | null = null;
  readonly #trust: TlsTrust;

  /** A destination for `url`, not yet resolved. */
  constructor(url: TargetUrl, trust: TlsTrust = { caCerts: null, sni: null }) {
    this.url = url;
    this.#trust = trust;
  }

  /** The pinned IP address, or null while the system resolver is used. */
  get address(): string | null {
    return this.#address;
  }

  /**
   * How long the DNS lookup of {@linkcode resolve} took, in ms, when one
   * was made and answered; null for IP literals, `localhost`, and names
   * left to the system resolver (whose lookup is inside the first connect).
   */
  get lookupMs(): number | null {
    return this.#lookupMs;
  }

  /**
   * Resolves the host once. Never throws: when DNS has no answer the
   * address stays unknown and the first connect resolves the name.
   * `signal` (the run being stopped) ends the lookups early.
   */
  async resolve(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const host = this.url.host;
    if (this.url.isIpLiteral) {
      this.#address = host;
      return;
    }
    // RFC 6761: localhost names are loopback, whatever DNS says. IPv4
    // because servers bound to 0.0.0.0 do not answer on ::1.
    if (host === "localhost" || host.endsWith(".localhost")) {
      this.#address = "127.0.0.1";
      return;
    }
    const name = host.endsWith(".") ? host.slice(0, -1) : host;
    const began = performance.now();
    for (const type of ["A", "AAAA"] as const) {
      if (signal?.aborted) return;
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const answers = await Deno.resolveDns(name, type, {
          signal: signal === undefined
            ? timeout
            : AbortSignal.any([signal, timeout]),
        });
        if (answers[0] !== undefined) {
          this.#lookupMs = performance.now() - began;
          this.#address = answers[0];
          return;
        }
      } catch {
        // No answer of this type; try the next, then the system resolver.
      }
    }
  }

  /** Pins the address a connection reached, if none is pinned yet. */
  pin(remote: { hostname: string }): void {
    this.#address ??= remote.hostname;
  }

  /** What to pass to {@linkcode openConnection}. */
  connectTarget(): ConnectTarget {
    return {
      hostname: this.#address ?? this.url.host,
      port: this.url.port,
      tls: this.url.scheme === "https",
      serverName: this.#trust.sni ?? this.url.host,
      ...(this.#trust.caCerts === null
        ? {}
        : { caCerts: [this.#trust.caCerts] }),
    };
  }
}
