/**
 * Gives memory back after a wave of connections. V8 collects garbage when
 * a program allocates, so a server that goes quiet after thousands of
 * connections opened or closed keeps their garbage, and the RSS it cost,
 * for as long as it stays quiet. This runs one full collection after such
 * a wave, as nginx hands back a connection's memory when it closes, once
 * the server is quiet: no connection opened or closed and no request
 * served for a moment. A full collection of the heap of 10,000 connections
 * stops the program for about 0.2 s, so it must never land in the middle
 * of traffic; in a lull, only a request that arrives during it waits.
 *
 * @module
 */

import v8 from "node:v8";
import vm from "node:vm";

/** Settings of a {@linkcode MemoryRelease}. */
export interface MemoryReleaseOptions {
  /** Connections opened plus closed since the last collection that make a wave. */
  minChurn?: number;
  /** Time without a connection opened or closed or a request served, in ms. */
  quietMs?: number;
  /** Runs the collection (a full garbage collection by default). */
  collect?: () => void;
}

/**
 * The quiet time before a wave's collection, in ms. Short, so that the
 * collection lands in the first lull after the wave: until it runs, the
 * wave's new objects wait in the young generation, and the first
 * collections of the traffic that follows copy them instead, in pauses of
 * 30 to 60 ms after 10,000 connections (bench/compare_servers.sh, the p99
 * right after they opened).
 */
export const RELEASE_QUIET_MS = 250;

let fullGc: (() => void) | null | undefined;

/**
 * V8's full garbage collection, or null where the runtime does not let a
 * program ask for it. The flag is set at the first call, not at start-up:
 * a server that never sees a wave never pays for the extra context.
 */
export function fullCollection(): (() => void) | null {
  if (fullGc !== undefined) return fullGc;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    fullGc = typeof gc === "function" ? () => gc() : null;
  } catch {
    fullGc = null;
  }
  return fullGc;
}

/**
 * Counts connections opened and closed, and collects garbage once after a
 * wave of them, when the server has been quiet for a moment.
 */
export class MemoryRelease {
  readonly #minChurn: number;
  readonly #quietMs: number;
  readonly #collect: (() => void) | null;
  #churn = 0;
  #requests = 0;
  // The counts when the timer was set: unchanged when it fires means quiet.
  #seen = 0;
  #seenRequests = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Collections run so far. */
  collections = 0;

  /** A release with `options` (1,000 connections, then 250 ms quiet). */
  constructor(options: MemoryReleaseOptions = {}) {
    this.#minChurn = options.minChurn ?? 1000;
    this.#quietMs = options.quietMs ?? RELEASE_QUIET_MS;
    this.#collect = options.collect ?? null;
  }

  /**
   * Notes a connection opened or closed. Called per connection, so it
   * only counts: the timer, not a clock read here, tells quiet.
   */
  changed(): void {
    this.#churn++;
    if (this.#churn >= this.#minChurn && this.#timer === undefined) {
      this.#arm();
    }
  }

  /** Notes a request being served; per request, so it only counts. */
  served(): void {
    this.#requests++;
  }

  /** Cancels a pending collection (the server is stopping). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#seen = this.#churn;
    this.#seenRequests = this.#requests;
    const timer = setTimeout(() => this.#due(), this.#quietMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #due(): void {
    this.#timer = undefined;
    // Connections came or went, or requests came: wait for quiet.
    if (this.#churn !== this.#seen || this.#requests !== this.#seenRequests) {
      this.#arm();
      return;
    }
    this.#churn = 0;
    const collect = this.#collect ?? fullCollection();
    if (collect === null) return;
    collect();
    this.collections++;
  }
}
