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
 * A sweep visits only the connections that changed since the last one and
 * those filed under the periods that passed: deadlines are filed by sweep
 * period, as in a timer wheel, so idle connections cost a sweep nothing
 * until their idle timeout. With 10,000 idle keep-alive connections and
 * wrk's 50 busy ones, a sweep took 0.03 to 0.08 ms on average; visiting
 * every connection, as sweeps did before, took 0.4 to 0.5 ms, four times
 * a second (bench/connection_tracker_bench.ts compares the two cases).
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
  /** Owned by the tracker: waiting for the next sweep to file it again. */
  queued: boolean;
  /** Owned by the tracker: the period its deadline is filed under, or -1. */
  slot: number;
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
  // Changed since the last sweep, which files their deadlines again.
  #changed: TrackedConnection[] = [];
  // Connections by the sweep period their deadline falls in.
  #slots = new Map<number, Set<TrackedConnection>>();
  // The first period the next sweep looks at (the one the last sweep was in).
  #nextSlot = 0;
  readonly #period: number;
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
    this.#period = period;
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
      // Filed by the next sweep: by then, most have gone idle after a
      // first request and are filed once, under their idle deadline.
      queued: true,
      slot: -1,
    };
    this.#conns.add(c);
    this.#changed.push(c);
    this.#release?.changed();
    return c;
  }

  /** Stops tracking a connection (it closed). */
  remove(c: TrackedConnection): void {
    if (this.#forget(c)) this.#release?.changed();
    if (this.#drained !== null && this.#conns.size === 0) this.#drained();
  }

  /** Waiting between requests; closed at once during shutdown. */
  idle(c: TrackedConnection): void {
    c.phase = "idle";
    this.#restart(c, this.#timeouts.idleMs);
    if (this.#shuttingDown) c.expire(false);
  }

  /** The first byte of a head arrived: the header timeout runs from now. */
  head(c: TrackedConnection): void {
    c.phase = "head";
    this.#restart(c, this.#timeouts.headerMs);
  }

  /** Reading a body or writing a response: the send timeout applies. */
  busy(c: TrackedConnection, phase: "body" | "busy" = "busy"): void {
    c.phase = phase;
    this.#restart(c, this.#timeouts.sendMs);
    this.#release?.served();
  }

  /** Bytes moved: push the deadline of a busy connection forward. */
  progress(c: TrackedConnection): void {
    this.#restart(c, this.#timeouts.sendMs);
  }

  /**
   * No deadline until the next phase change or progress (a body read that
   * keeps its own deadline).
   */
  suspend(c: TrackedConnection): void {
    this.#restart(c, 0);
    c.deadline = Number.POSITIVE_INFINITY;
  }

  /** Closes every connection whose deadline has passed. */
  sweep(now = performance.now()): void {
    const changed = this.#changed;
    if (changed.length > 0) {
      this.#changed = [];
      for (const c of changed) {
        c.queued = false;
        if (c.restarted !== 0) {
          c.deadline = now + c.restarted;
          c.restarted = 0;
        }
        if (!this.#conns.has(c)) continue;
        // An idle connection stays so for long: filed under its own period
        // now, in the sweep after the request, rather than all of a wave's
        // at once when their earlier period comes due.
        if (c.phase === "idle") this.#refile(c);
        else this.#file(c);
      }
    }
    const last = Math.floor(now / this.#period);
    for (const slot of this.#slotsThrough(last)) {
      const due = this.#slots.get(slot);
      if (due === undefined) continue;
      for (const c of due) {
        if (c.deadline > now) {
          // Pushed forward since it was filed here (or not yet due in the
          // period `now` falls in): filed again under its own period.
          this.#refile(c);
          continue;
        }
        this.#forget(c);
        this.#release?.changed();
        c.expire(c.phase === "head");
      }
    }
    this.#nextSlot = last;
    if (this.#drained !== null && this.#conns.size === 0) this.#drained();
  }

  /** The filed periods up to `last`, from the one the last sweep was in. */
  #slotsThrough(last: number): number[] {
    const from = this.#nextSlot;
    if (last - from < this.#slots.size) {
      const slots = [];
      for (let slot = from; slot <= last; slot++) slots.push(slot);
      return slots;
    }
    // A long gap between sweeps: fewer filed periods than periods passed.
    return [...this.#slots.keys()].filter((slot) => slot <= last);
  }

  /** Notes the timeout that starts again; the next sweep files it. */
  #restart(c: TrackedConnection, ms: number): void {
    c.restarted = ms;
    if (!c.queued) {
      c.queued = true;
      this.#changed.push(c);
    }
  }

  /**
   * Files a connection under the period of its deadline, unless it is
   * filed no later already: a deadline pushed forward (each request, each
   * progress) is filed again only when its old period comes due.
   */
  #file(c: TrackedConnection): void {
    // No deadline: where filed, unfiled when that period comes due.
    if (c.deadline === Number.POSITIVE_INFINITY) return;
    // A deadline before the periods swept so far waits for the next sweep.
    const slot = Math.max(
      this.#nextSlot,
      Math.floor(c.deadline / this.#period),
    );
    if (c.slot !== -1 && c.slot <= slot) return;
    this.#unfile(c);
    let filed = this.#slots.get(slot);
    if (filed === undefined) {
      filed = new Set();
      this.#slots.set(slot, filed);
    }
    filed.add(c);
    c.slot = slot;
  }

  /** Moves a connection to the period of its deadline (unfiled: none). */
  #refile(c: TrackedConnection): void {
    const slot = c.deadline === Number.POSITIVE_INFINITY
      ? -1
      : Math.floor(c.deadline / this.#period);
    if (slot === c.slot) return;
    this.#unfile(c);
    if (slot !== -1) this.#file(c);
  }

  #unfile(c: TrackedConnection): void {
    if (c.slot === -1) return;
    const filed = this.#slots.get(c.slot);
    if (filed !== undefined) {
      filed.delete(c);
      if (filed.size === 0) this.#slots.delete(c.slot);
    }
    c.slot = -1;
  }

  /** Stops tracking a connection; false if it was not tracked. */
  #forget(c: TrackedConnection): boolean {
    this.#unfile(c);
    return this.#conns.delete(c);
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
        this.#forget(c);
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
      this.#slots.clear();
      this.#changed = [];
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
