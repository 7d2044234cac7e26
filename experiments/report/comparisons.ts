/**
 * The peer comparison: spidey against nginx and lighttpd on the same
 * files in the same run, as ratios of requests per second. Each pair
 * gives both sides the same CPUs: spidey `-f` and nginx with one worker
 * and lighttpd each on one CPU, spidey `-w 2` and nginx with two workers
 * on both.
 *
 * @module
 */

import { findPoint, type PointSummary } from "../data/aggregate.ts";

/** A pair of configurations to compare. */
export interface PeerPair {
  /** The spidey configuration. */
  spidey: string;
  /** The peer configuration. */
  peer: string;
}

/** The pairs, in chart order. */
export const PEER_PAIRS: readonly PeerPair[] = [
  { spidey: "spidey-concurrent", peer: "nginx" },
  { spidey: "spidey-concurrent", peer: "lighttpd" },
  { spidey: "spidey-multi", peer: "nginx-2w" },
];

/** spidey's requests per second over a peer's on one workload. */
export interface PeerRatio {
  /** The pair. */
  pair: PeerPair;
  /** spidey's point. */
  spidey: PointSummary;
  /** The peer's point. */
  peer: PointSummary;
  /** Mean over mean. */
  ratio: number;
  /** Slowest spidey repetition over the fastest peer one. */
  low: number;
  /** Fastest spidey repetition over the slowest peer one. */
  high: number;
}

/** The ratio of `pair` on `workload` in `part`, when both were measured. */
export function peerRatio(
  summaries: readonly PointSummary[],
  part: string,
  pair: PeerPair,
  workload: string,
): PeerRatio | undefined {
  const spidey = findPoint(summaries, { part, config: pair.spidey, workload });
  const peer = findPoint(summaries, { part, config: pair.peer, workload });
  if (spidey === undefined || peer === undefined || peer.rps.mean <= 0) {
    return undefined;
  }
  return {
    pair,
    spidey,
    peer,
    ratio: spidey.rps.mean / peer.rps.mean,
    low: peer.rps.max > 0 ? spidey.rps.min / peer.rps.max : 0,
    high: peer.rps.min > 0
      ? spidey.rps.max / peer.rps.min
      : spidey.rps.mean / peer.rps.mean,
  };
}
