/**
 * Round-trip statistics of a ping run and their ping(8)-style summary.
 *
 * @module
 */

/** Minimum, mean, maximum and standard deviation of round-trip times, in ms. */
export interface RttStats {
  /** Fastest round trip. */
  min: number;
  /** Mean round trip. */
  avg: number;
  /** Slowest round trip. */
  max: number;
  /** Population standard deviation (ping's `mdev`). */
  stddev: number;
}

/** The outcome of a whole run. */
export interface PingSummary {
  /** Datagrams sent. */
  transmitted: number;
  /** Replies that arrived within their timeout. */
  received: number;
  /** Replies that arrived after their ping had been declared lost. */
  late: number;
  /** Extra replies to a ping already answered. */
  duplicates: number;
  /** Share of pings without a timely reply, 0–100. */
  lossPercent: number;
  /** Round-trip statistics of the timely replies; null when there were none. */
  rtt: RttStats | null;
}

/** Computes min/avg/max/stddev of `rtts`; null for an empty list. */
export function computeRttStats(rtts: readonly number[]): RttStats | null {
  if (rtts.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const rtt of rtts) {
    if (rtt < min) min = rtt;
    if (rtt > max) max = rtt;
    sum += rtt;
  }
  const avg = sum / rtts.length;
  let squares = 0;
  for (const rtt of rtts) squares += (rtt - avg) ** 2;
  return { min, avg, max, stddev: Math.sqrt(squares / rtts.length) };
}

/** Builds the summary of a run from its counts and timely round trips. */
export function summarizePings(
  transmitted: number,
  rtts: readonly number[],
  late: number,
  duplicates: number,
): PingSummary {
  const received = rtts.length;
  const lossPercent = transmitted === 0
    ? 0
    : ((transmitted - received) / transmitted) * 100;
  return {
    transmitted,
    received,
    late,
    duplicates,
    lossPercent,
    rtt: computeRttStats(rtts),
  };
}

/** Milliseconds with three decimals, as ping prints them. */
export function formatMs(ms: number): string {
  return ms.toFixed(3);
}

/** A percentage with at most one decimal: `30`, `33.3`. */
export function formatPercent(percent: number): string {
  return String(Math.round(percent * 10) / 10);
}

/** The closing lines of a run, shaped like ping(8)'s. */
export function formatPingSummary(
  target: string,
  summary: PingSummary,
  elapsedMs: number,
): string {
  let counts = `${summary.transmitted} packets transmitted, ` +
    `${summary.received} received`;
  if (summary.duplicates > 0) counts += `, +${summary.duplicates} duplicates`;
  if (summary.late > 0) counts += `, ${summary.late} late`;
  counts += `, ${formatPercent(summary.lossPercent)}% packet loss, ` +
    `time ${Math.round(elapsedMs)}ms`;
  const lines = [`--- ${target} UDP ping statistics ---`, counts];
  const rtt = summary.rtt;
  if (rtt !== null) {
    lines.push(
      `rtt min/avg/max/stddev = ${formatMs(rtt.min)}/${formatMs(rtt.avg)}/` +
        `${formatMs(rtt.max)}/${formatMs(rtt.stddev)} ms`,
    );
  }
  return lines.join("\n");
}
