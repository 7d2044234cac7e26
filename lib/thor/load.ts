/**
 * The load loop of one process: `-c` connection slots, each sending the
 * prepared request and reading the response back to back, until the
 * request count is used up, the duration ends, or the rate schedule is
 * over. Every request ends in exactly one response or one classified
 * error in {@linkcode RunStats}.
 *
 * The hot path allocates little per request (the promises of its reads
 * and writes, a few typed-array views, the three framing field values):
 * the request bytes are built once, each connection reads through its own
 * reused buffer, bodies that are not dumped land in one shared scratch
 * buffer, timeouts are one sweep per process rather than a timer per
 * request, and times are `performance.now()` numbers, not Dates.
 *
 * @module
 */

import { isVerbose, logDebug } from "../common/log.ts";
import { describeError, formatHostPort } from "../common/net.ts";
import type { ClientConnection } from "./client_connection.ts";
import {
  ConnectionSlot,
  DeadlineError,
  describeTimeout,
  isIdempotent,
  type SlotContext,
  type SlotTarget,
} from "./connection_slot.ts";
import { DeadlineSweeper, sweepIntervalMs } from "./deadline_sweeper.ts";
import type { Destination } from "./destination.ts";
import type { DumpWriter } from "./dump.ts";
import { classifyError } from "./error_class.ts";
import { RatePacer, scheduledCount } from "./rate_pacer.ts";
import { type ErrorClass, RunStats } from "./run_stats.ts";
import { TargetStats } from "./target_stats.ts";

/** The class and description of a failed request. */
export interface FailureNote {
  /** Its error class. */
  cls: ErrorClass;
  /** One line saying what went wrong. */
  message: string;
}

/** Logs a process's mean response time in the classic `-v` shape. */
export function logAverageElapsed(stats: RunStats): void {
  const mean = stats.latency.count === 0 ? 0 : stats.latency.meanMs();
  logDebug(
    `${Deno.pid} | Average elapsed time: ${(mean / 1000).toFixed(2)} seconds`,
  );
}

/**
 * A time in ms to three significant digits (`0.412`, `12.3`), whole ms from
 * 1000 up; a local request takes well under the old 0.01 s resolution.
 */
export function formatMs(ms: number): string {
  return ms >= 1000 ? ms.toFixed(0) : ms.toPrecision(3);
}

/** What one process's run does. */
export interface LoadPlan {
  /** Where requests go. */
  destination: Destination;
  /** The request bytes (head and body). */
  request: Uint8Array;
  /** The request method. */
  method: string;
  /** Concurrent connections. */
  connections: number;
  /**
   * Requests to send, or null to run until stopped or the duration ends.
   * In rate mode: the requests scheduled (rate × duration when null).
   */
  requests: number | null;
  /** Run length in ms, or null. */
  durationMs: number | null;
  /** Requests per second for this process (open model), or null. */
  rate: number | null;
  /** Time allowed per request in ms. */
  timeoutMs: number;
  /** Reuse connections. */
  keepAlive: boolean;
  /** Where responses are dumped, or null. */
  dump: DumpWriter | null;
  /**
   * The requests of a `--targets` run: `round` (indices into `list`) is
   * sent over and over, and each target gets its own figures. Absent for
   * one URL, whose request is `destination`, `request` and `method`.
   */
  targets?: { list: readonly SlotTarget[]; round: readonly number[] };
}

/** One process's load run: {@linkcode prepare}, then {@linkcode run}. */
export class LoadRun {
  /** What was measured. */
  readonly stats: RunStats = new RunStats();
  /** The last failure, for the closing error line. */
  lastError: FailureNote | null = null;
  /** True when the host name could not be resolved at all. */
  unresolvable = false;
  readonly #plan: LoadPlan;
  readonly #slots: ConnectionSlot[];
  readonly #sweeper: DeadlineSweeper;
  readonly #pacer: RatePacer | null;
  #remaining: number;
  #stopping = false;
  #cancelled = false;
  #loggedAddress = false;
  #startedAt = 0;
  readonly #targets: readonly SlotTarget[];
  readonly #round: readonly number[] | null;
  #turn = 0;
  // Aborts start-up's DNS lookups when the run is stopped.
  readonly #abort = new AbortController();

  /** Sets up the slots of `plan`; nothing is opened yet. */
  constructor(plan: LoadPlan) {
    this.#plan = plan;
    this.#remaining = plan.requests ?? Infinity;
    this.#pacer = plan.rate === null ? null : new RatePacer(
      plan.rate,
      plan.requests ??
        (plan.durationMs === null
          ? Infinity
          : scheduledCount(plan.rate, plan.durationMs)),
    );
    if (this.#pacer !== null && Number.isFinite(this.#pacer.limit)) {
      this.stats.scheduled = this.#pacer.limit;
    }
    this.#targets = plan.targets?.list ?? [{
      destination: plan.destination,
      pool: 0,
      request: plan.request,
      method: plan.method,
      retryable: isIdempotent(plan.method),
    }];
    this.#round = plan.targets?.round ?? null;
    if (plan.targets !== undefined) {
      this.stats.targets = plan.targets.list.map(() => new TargetStats());
    }
    const ctx: SlotContext = {
      target: this.#targets[0]!,
      scratch: new Uint8Array(65536),
      onConnect: (client, destination) => this.#onConnect(client, destination),
    };
    const count = Math.max(1, Math.min(plan.connections, this.#remaining));
    this.#slots = Array.from(
      { length: count },
      () => new ConnectionSlot(ctx, plan.dump?.capture() ?? null),
    );
    this.#sweeper = new DeadlineSweeper(
      this.#slots,
      sweepIntervalMs(plan.timeoutMs),
    );
  }

  /** Time since {@linkcode run} started, in ms. */
  get elapsedMs(): number {
    return this.#startedAt === 0 ? 0 : performance.now() - this.#startedAt;
  }

  /**
   * Resolves the host once and, with keep-alive, opens every slot's
   * connection, so that the measured run starts with all of them ready.
   */
  async prepare(): Promise<void> {
    // One target per pool (host): resolved once, preconnected once.
    const pools = new Map<number, SlotTarget>();
    for (const target of this.#targets) {
      if (!pools.has(target.pool)) pools.set(target.pool, target);
    }
    for (const { destination } of pools.values()) {
      if (this.#stopping) return;
      await destination.resolve(this.#plan.timeoutMs, this.#abort.signal);
      const lookup = destination.lookupMs;
      if (lookup !== null) this.stats.phases.dns.recordMs(lookup);
    }
    if (!this.#plan.keepAlive) return;
    this.#sweeper.start();
    for (const target of pools.values()) {
      if (this.#stopping) return;
      for (const slot of this.#slots) slot.select(target);
      const deadline = performance.now() + this.#plan.timeoutMs;
      // The first connection resolves a name DNS could not answer; the
      // rest then use the address it pinned.
      await this.#slots[0]!.preconnect(deadline);
      await Promise.all(
        this.#slots.slice(1).map((s) => s.preconnect(deadline)),
      );
    }
  }

  /** Runs the load; resolves to the stats once every slot is done. */
  async run(): Promise<RunStats> {
    const plan = this.#plan;
    this.#sweeper.start();
    this.#startedAt = performance.now();
    this.stats.startClock(this.#startedAt);
    const pacer = this.#pacer;
    pacer?.start(this.#startedAt);
    let endTimer: ReturnType<typeof setTimeout> | undefined;
    if (plan.durationMs !== null && pacer !== null) {
      // A schedule ends by sending its last request; at the end of the
      // duration, what is still unsent stays unsent, but requests in flight
      // finish, so that the rate × duration requests are all accounted.
      const last = pacer.dueAt(pacer.limit - 1) - this.#startedAt;
      endTimer = setTimeout(
        () => pacer.stop(),
        Math.max(plan.durationMs, Number.isFinite(last) ? last + 1 : 0),
      );
    } else if (plan.durationMs !== null) {
      endTimer = setTimeout(() => this.stop(), plan.durationMs);
    }
    try {
      await Promise.all(this.#slots.map((slot) => this.#runSlot(slot)));
    } finally {
      clearTimeout(endTimer);
      pacer?.stop();
      this.#sweeper.stop();
      for (const slot of this.#slots) slot.dropAll();
    }
    // A dump that cannot be written ends the run as a whole.
    if (plan.dump?.failed) throw plan.dump.failure;
    this.stats.elapsedMs = performance.now() - this.#startedAt;
    return this.stats;
  }

  /**
   * Ends the run now (duration over, or interrupted): no new requests, and
   * those in flight are abandoned: neither completed nor failed, as in wrk,
   * but counted in `stats.abandoned`.
   */
  stop(): void {
    if (this.#stopping && this.#cancelled) return;
    this.#stopping = true;
    this.#cancelled = true;
    this.#abort.abort();
    this.#pacer?.stop();
    for (const slot of this.#slots) {
      if (slot.deadline !== Infinity) slot.expire();
    }
  }

  /** Takes the next request of a closed-loop run; false when there is none. */
  #take(): boolean {
    if (this.#stopping || this.#remaining <= 0) return false;
    this.#remaining--;
    return true;
  }

  async #runSlot(slot: ConnectionSlot): Promise<void> {
    const plan = this.#plan;
    const stats = this.stats;
    const pacer = this.#pacer;
    const result = slot.result;
    const verbose = isVerbose();
    const round = this.#round;
    let target = 0;
    for (;;) {
      let dueAt = 0;
      if (pacer !== null) {
        const index = await pacer.next();
        if (index < 0) break;
        dueAt = pacer.dueAt(index);
        stats.scheduleLag.recordMs(Math.max(0, performance.now() - dueAt));
      } else if (!this.#take()) break;
      if (round !== null) {
        target = round[this.#turn++ % round.length]!;
        slot.select(this.#targets[target]!);
      }
      if (slot.pendingError !== null) {
        const err = slot.pendingError;
        slot.pendingError = null;
        const late = err instanceof DeadlineError;
        this.#fail(
          classifyError(err, "connect", late),
          late ? describeTimeout(plan.timeoutMs, "connecting") : err,
          verbose,
          target,
        );
        continue;
      }
      const started = performance.now();
      slot.timedOut = false;
      slot.deadline = started + plan.timeoutMs;
      try {
        await slot.exchange();
      } catch (err) {
        slot.deadline = Infinity;
        // Closing the socket at the deadline makes the pending read fail
        // with whatever error; what the user needs is that it timed out.
        const note = slot.timedOut
          ? describeTimeout(plan.timeoutMs, slot.activity)
          : err;
        slot.drop();
        if (slot.capture !== null) {
          slot.capture.discard();
          if (plan.dump?.failed) this.stop();
        }
        if (this.#cancelled) {
          stats.abandoned++;
          break;
        }
        this.#fail(
          classifyError(err, slot.phase, slot.timedOut),
          note,
          verbose,
          target,
        );
        continue;
      }
      const ended = performance.now();
      slot.deadline = Infinity;
      stats.recordResponse(
        result.status,
        ended - started,
        result.bytes,
        pacer === null ? undefined : ended - dueAt,
        ended,
      );
      stats.phases.ttfb.recordMs(
        (result.headAt === 0 ? ended : result.headAt) - started,
      );
      if (round !== null) {
        stats.targets[target]!.recordResponse(result.status, ended - started);
      }
      if (slot.capture !== null) {
        try {
          // A promise only when the commit waits for the output.
          const written = slot.capture.commit();
          if (written !== undefined) await written;
        } catch {
          this.stop(); // the dump failed: run() throws its error
          break;
        }
      }
      if (!result.keepAlive || !plan.keepAlive) slot.drop();
      if (verbose) {
        logDebug(
          `${Deno.pid} | Elapsed time: ${formatMs(ended - started)} ms`,
        );
      }
    }
  }

  /** Records a failure; `err` is the error, or already its description. */
  #fail(
    cls: ErrorClass,
    err: unknown,
    verbose: boolean,
    target: number,
  ): void {
    this.stats.recordError(cls);
    this.stats.targets[target]?.recordError(cls);
    const message = typeof err === "string" ? err : describeError(err);
    this.lastError = { cls, message };
    if (verbose) logDebug(`${Deno.pid} | Request failed (${cls}): ${message}`);
    // Of several hosts, one unknown name stops only its own requests.
    if (
      cls === "dns" && this.#targets.length === 1 &&
      this.#targets[0]!.destination.address === null
    ) {
      this.#giveUpOnName();
    }
  }

  /**
   * The name resolves nowhere, so every request left would fail the same
   * way: count those of a fixed-size run as DNS failures and stop.
   */
  #giveUpOnName(): void {
    if (this.unresolvable) return;
    this.unresolvable = true;
    this.#stopping = true;
    let left = this.#remaining === Infinity ? 0 : this.#remaining;
    this.#remaining = 0;
    if (this.#pacer !== null) {
      // A schedule's requests not yet sent stay unsent (they count there).
      left = 0;
      this.#pacer.stop();
    }
    for (let i = 0; i < left; i++) {
      this.stats.recordError("dns");
      this.stats.targets[0]?.recordError("dns");
    }
  }

  #onConnect(client: ClientConnection, destination: Destination): void {
    this.stats.connections++;
    this.stats.phases.connect.recordMs(client.connectMs);
    if (client.isTls) this.stats.phases.tls.recordMs(client.tlsMs);
    // A TLS connection's address has no `transport`, so test the fields.
    const remote = client.conn.remoteAddr as Partial<Deno.NetAddr>;
    if (remote.hostname === undefined || remote.port === undefined) return;
    destination.pin({ hostname: remote.hostname });
    if (!this.#loggedAddress) {
      this.#loggedAddress = true;
      logDebug(
        `Connected to ${formatHostPort(remote.hostname, remote.port)}...`,
      );
    }
  }
}
