/**
 * Where the time of a request goes, phase by phase, as hey's "Details" and
 * oha show it: DNS lookup, TCP connect and TLS handshake (once per lookup
 * or connection opened, not per request) and time to first byte (per
 * response). Each phase is its own {@link LatencyHistogram}, so phases
 * merge exactly across processes like the rest of `RunStats`.
 *
 * What is measured, honestly:
 * - `dns`: thor resolves each host once per process before the run
 *   (`Destination.resolve`); that lookup is the one sample. IP literals and
 *   `localhost` need none. A name only the system resolver knows is looked
 *   up inside the first connect, so its time lands in `connect` there.
 * - `connect`: `Deno.connect` to the resolved address, per connection.
 * - `tls`: `Deno.startTls` plus the handshake, per https connection.
 * - `ttfb`: from the send start to the whole response head having arrived
 *   (a head normally comes in the first packet, so this is the first byte
 *   to within a read); like `total`, it includes the connect of a request
 *   that had to open its connection.
 * - `total` is the run's latency histogram itself, not a copy.
 *
 * @module
 */

import { LatencyHistogram, WireFormatError } from "./histogram.ts";

/** The phases kept here, in the order a request meets them. */
export const PHASE_NAMES = ["dns", "connect", "tls", "ttfb"] as const;

/** One of {@link PHASE_NAMES}. */
export type PhaseName = typeof PHASE_NAMES[number];

/** Per-phase histograms of one process, or merged across processes. */
export class PhaseStats {
  /** One sample per DNS lookup made. */
  dns: LatencyHistogram = new LatencyHistogram();
  /** One sample per TCP connection opened. */
  connect: LatencyHistogram = new LatencyHistogram();
  /** One sample per TLS handshake completed. */
  tls: LatencyHistogram = new LatencyHistogram();
  /** One sample per complete response. */
  ttfb: LatencyHistogram = new LatencyHistogram();

  /** Adds every sample of `other`. */
  merge(other: PhaseStats): void {
    for (const name of PHASE_NAMES) this[name].merge(other[name]);
  }

  /** The wire form: each phase's serialized histogram by name. */
  toWire(): Record<PhaseName, string> {
    return {
      dns: this.dns.serialize(),
      connect: this.connect.serialize(),
      tls: this.tls.serialize(),
      ttfb: this.ttfb.serialize(),
    };
  }

  /**
   * Reads {@link PhaseStats.toWire} output; a phase left out is empty (so a
   * later phase can be added without breaking older lines).
   *
   * @throws {WireFormatError} `BAD_STATS_LINE` when it is not an object of
   *   strings, `BAD_HISTOGRAM` for a histogram that does not decode.
   */
  static fromWire(value: unknown): PhaseStats {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new WireFormatError(
        "BAD_STATS_LINE",
        'Stats line is invalid: "phases" must be an object',
      );
    }
    const phases = new PhaseStats();
    const record = value as Record<string, unknown>;
    for (const name of PHASE_NAMES) {
      const wire = record[name];
      if (wire === undefined) continue;
      if (typeof wire !== "string") {
        throw new WireFormatError(
          "BAD_STATS_LINE",
          `Stats line is invalid: phase "${name}" must be a string`,
        );
      }
      phases[name] = LatencyHistogram.deserialize(wire);
    }
    return phases;
  }
}
