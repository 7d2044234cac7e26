/**
 * Deadlines for open connections, checked by one coarse timer instead of a
 * timer per request: a head must arrive within the header timeout, an idle
 * keep-alive connection is closed after the idle timeout, and a client that
 * stops reading or sending is dropped after the send timeout. Also tracks
 * connections for graceful shutdown.
 *
 * A phase change or progress only notes which timeout starts again; the
 * next sweep turns that into a deadline with its own clock reading. Reading
 * the clock on every request event costs more than the rest of the
 * bookkeeping, and a deadline set at the sweep is never early: a
 * connection expires between one and two sweep periods after its timeout.
 *
 * @module
 */

import type { MemoryRelease } from "./memory_release.ts";

/** What a connection is doing, which decides its deadline. */
export type ConnectionPhase = "idle" | "head" | "body" | "busy";

/** One tracked connection. */
export interface TrackedConnection {
  /** Current phase. */
  phase: ConnectionPhase;
  /** `performance.now()` after which the connection is expired. */
  deadline: number;
  /**
   * A timeout (ms) that started again since the last sweep, which sets the
   * deadline from its clock; 0 when none did.
   */
  restarted: number;
  /** Closes the connection; `timedOutInHead` asks for a 408 first. */
  expire: (timedOutInHead: boolean) => void;
}

/** Timeouts in milliseconds. */
export interface TrackerTimeouts {
  /** To receive a whole head from its first byte. */
  headerMs: number;
  /** Between requests on a keep-alive connection. */
  idleMs: number;
  /** Without progress while reading a body or writing a response. */
  sendMs: number;
}

/** Keeps deadlines for connections and closes the expired ones. */
export class ConnectionTracker {
  #conns = new Set<TrackedConnection>();
  #timeouts: TrackerTimeouts;
  #timer: ReturnType<typeof setInterval> | undefined;
  #shuttingDown = false;
  #drained: (() => void) | null = null;
  #shutdown: Promise<void> | null = null;
  readonly #release: MemoryRelease | null;

  /**
   * Starts the sweep timer (unref'd so it never keeps the process alive).
   * `release` hears of every connection opened and closed, and of every
   * request (each goes busy once).
   */
  constructor(
    timeouts: TrackerTimeouts,
    sweepMs = 250,
    release: MemoryRelease | null = null,
  ) {
    this.#timeouts = timeouts;
    this.#release = release;
    const period = Math.max(
      10,
      Math.min(sweepMs, timeouts.headerMs / 4, timeouts.idleMs / 4),
    );
    const timer = setInterval(() => this.sweep(), period);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Number of open connections. */
  get size(): number {
    return this.#conns.size;
  }

  /** True once {@linkcode shutdown} was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Starts tracking a connection, waiting for its first request. */
  add(expire: TrackedConnection["expire"]): TrackedConnection {
    const c: TrackedConnection = {
      phase: "idle",
      deadline: performance.now() + this.#timeouts.headerMs,
      restarted: 0,
      expire,
    };
    this.#conns.add(c);
    this.#release?.changed();
    return c;
  }

  /** Stops tracking a connection (it closed). */
  remove(c: TrackedConnection): void {
    if (this.#conns.delete(c)) this.#release?.changed();
    if (this.#drained !== null && this.#conns.size === 0) this.#drained();
  }

  /** Waiting between requests; closed at once during shutdown. */
  idle(c: TrackedConnection): void {
    c.phase = "idle";
    c.restarted = this.#timeouts.idleMs;
    if (this.#shuttingDown) c.expire(false);
  }

  /** The first byte of a head arrived: the header timeout runs from now. */
  head(c: TrackedConnection): void {
    c.phase = "head";
    c.restarted = this.#timeouts.headerMs;
  }

  /** Reading a body or writing a response: the send timeout applies. */
  busy(c: TrackedConnection, phase: "body" | "busy" = "busy"): void {
    c.phase = phase;
    c.restarted = this.#timeouts.sendMs;
    this.#release?.served();
  }

  /** Bytes moved: push the deadline of a busy connection forward. */
  progress(c: TrackedConnection): void {
    c.restarted = this.#timeouts.sendMs;
  }

  /**
   * No deadline until the next phase change or progress (a body read that
   * keeps its own deadline).
   */
  suspend(c: TrackedConnection): void {
    c.restarted = 0;
    c.deadline = Number.POSITIVE_INFINITY;
  }

  /** Closes every connection whose deadline has passed. */
  sweep(now = performance.now()): void {
    for (const c of this.#conns) {
      if (c.restarted !== 0) {
        c.deadline = now + c.restarted;
        c.restarted = 0;
      } else if (c.deadline <= now) {
        this.#conns.delete(c);
        this.#release?.changed();
        c.expire(c.phase === "head");
      }
    }
    if (this.#drained !== null && this.#conns.size === 0) this.#drained();
  }

  /**
   * Closes idle connections now and waits up to `graceMs` for the others to
   * finish their current response; then closes what is left.
   */
  shutdown(graceMs: number): Promise<void> {
    // A second call waits for the first rather than replacing its waiter.
    this.#shutdown ??= this.#drain(graceMs);
    return this.#shutdown;
  }

  async #drain(graceMs: number): Promise<void> {
    this.#shuttingDown = true;
    for (const c of this.#conns) {
      if (c.phase === "idle") {
        this.#conns.delete(c);
        c.expire(false);
      }
    }
    if (this.#conns.size > 0) {
      const drained = new Promise<void>((resolve) => this.#drained = resolve);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([drained, timeout]);
      clearTimeout(timer);
      for (const c of this.#conns) c.expire(false);
      this.#conns.clear();
    }
    this.stop();
  }

  /** Stops the sweep timer and any pending memory release. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#release?.stop();
  }
}
