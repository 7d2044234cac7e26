/**
 * One of a process's `-c` concurrent connection slots: it keeps a
 * keep-alive connection across requests, reconnects only when the server
 * closes it or after an error, and performs one exchange at a time under
 * a deadline that the process's {@linkcode DeadlineSweeper} enforces.
 *
 * @module
 */

import {
  type ClientConnection,
  type ExchangeResult,
  NEED_BYTES,
  openConnection,
  TAKEN,
  USE_READER,
} from "./client_connection.ts";
import type { Expirable } from "./deadline_sweeper.ts";
import type { Destination } from "./destination.ts";
import type { ResponseCapture } from "./dump.ts";
import type { ExchangePhase } from "./error_class.ts";

/** Raised into a pending connect when its deadline passes. */
export class DeadlineError extends Error {
  /** Always `DEADLINE`. */
  readonly code = "DEADLINE";

  /** Creates the error. */
  constructor() {
    super("Request timed out");
    this.name = "DeadlineError";
  }
}

/**
 * Says in words that a request ran out of time, and what it was doing:
 * `Request timed out after 30 s while reading the response body`.
 */
export function describeTimeout(timeoutMs: number, activity: string): string {
  return `Request timed out after ${
    Number((timeoutMs / 1000).toFixed(3))
  } s while ${activity}`;
}

/** Size of a dumping slot's own body scratch. */
const SCRATCH_BYTES = 65536;

/** One request a slot sends, and where; built once per run. */
export interface SlotTarget {
  /** Where to connect. */
  destination: Destination;
  /** Index of the destination's connection pool (one per scheme, host, port). */
  pool: number;
  /** The request bytes. */
  request: Uint8Array;
  /** The request method (decides whether a response has a body). */
  method: string;
  /** True when a stale keep-alive connection may be retried once. */
  retryable: boolean;
}

/** What every slot of a run shares. */
export interface SlotContext {
  /** The target every slot starts with (the only one of a one-URL run). */
  target: SlotTarget;
  /** Body scratch shared by slots that do not keep bodies. */
  scratch: Uint8Array;
  /** Called with each new connection (counting, logging the address). */
  onConnect(client: ClientConnection, destination: Destination): void;
}

// Methods that can be resent when a reused connection turns out to have
// been closed by the server before it saw the request (RFC 9110 9.2.2).
const IDEMPOTENT = new Set([
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
]);

/** True when requests of `method` may be retried on a fresh connection. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/** A connection slot. */
export class ConnectionSlot implements Expirable {
  /** Deadline of the current exchange; Infinity when idle. */
  deadline = Infinity;
  /** Set when the deadline cut the current exchange short. */
  timedOut = false;
  /** Phase of the current exchange, for classifying a failure. */
  phase: ExchangePhase = "connect";
  /** The outcome of the last exchange. */
  readonly result: ExchangeResult = {
    status: 0,
    bytes: 0,
    keepAlive: false,
    headAt: 0,
  };
  /** Gathers responses to dump, or null. */
  readonly capture: ResponseCapture | null;
  /**
   * A failure of the connection opened before the run to the current
   * target's host, owed to the first request sent there.
   */
  pendingError: unknown = null;
  // Such failures of the other hosts' pools, by pool.
  readonly #parkedErrors: unknown[] = [];
  #client: ClientConnection | null = null;
  // Bytes the connection had received when the current request was sent.
  #receivedBefore = 0;
  #failConnect: ((err: Error) => void) | null = null;
  #target: SlotTarget;
  // Idle connections to the other pools of a several-host run, by pool.
  readonly #parked: (ClientConnection | null)[] = [];
  readonly #ctx: SlotContext;
  #scratch: Uint8Array | null;

  /** A slot of `ctx`'s run; `capture` when responses are dumped. */
  constructor(ctx: SlotContext, capture: ResponseCapture | null) {
    this.#ctx = ctx;
    this.#target = ctx.target;
    this.capture = capture;
    // A dumped body piece stays in scratch until its write completes,
    // while other slots read on, so such a slot must not share it: its own
    // is made at its first response, not for every slot up front.
    this.#scratch = capture === null ? ctx.scratch : null;
  }

  /** Cuts the current exchange short: fails its connect, closes its socket. */
  expire(): void {
    this.timedOut = true;
    this.#failConnect?.(new DeadlineError());
    this.#client?.close();
  }

  /**
   * What the current exchange is doing, in words (`connecting`, `sending
   * the request`, `waiting for the response`, `reading the response
   * head`, `reading the response body`); read it before {@linkcode drop}.
   */
  get activity(): string {
    if (this.phase === "connect") return "connecting";
    if (this.phase === "write") return "sending the request";
    const client = this.#client;
    if (client === null || client.received === this.#receivedBefore) {
      return "waiting for the response";
    }
    return client.inBody
      ? "reading the response body"
      : "reading the response head";
  }

  /** Closes the connection, if any. */
  drop(): void {
    this.#client?.close();
    this.#client = null;
  }

  /**
   * Makes `target` the next exchange's, switching to its pool's connection
   * when its host differs; the other host's connection waits, open.
   */
  select(target: SlotTarget): void {
    const from = this.#target.pool;
    if (target.pool !== from) {
      this.#parked[from] = this.#client;
      this.#client = this.#parked[target.pool] ?? null;
      this.#parked[target.pool] = null;
      this.#parkedErrors[from] = this.pendingError;
      this.pendingError = this.#parkedErrors[target.pool] ?? null;
      this.#parkedErrors[target.pool] = null;
    }
    this.#target = target;
  }

  /** Closes every connection, the parked ones too (end of the run). */
  dropAll(): void {
    this.drop();
    for (const client of this.#parked) client?.close();
    this.#parked.length = 0;
  }

  /** Opens a connection now (before the run), keeping any failure for later. */
  async preconnect(deadline: number): Promise<void> {
    this.deadline = deadline;
    this.timedOut = false;
    try {
      this.#client = await this.#connect();
    } catch (err) {
      this.pendingError = this.timedOut ? new DeadlineError() : err;
    } finally {
      this.deadline = Infinity;
    }
  }

  /**
   * Sends the request and reads the whole response into {@linkcode result},
   * connecting first if needed. A reused connection that fails before any
   * response byte arrives was closed by the server while idle: an
   * idempotent request is then sent once more on a new connection.
   */
  async exchange(): Promise<void> {
    const target = this.#target;
    let client = this.#client;
    let reused = client !== null && client.responses > 0;
    if (client === null) {
      this.phase = "connect";
      client = this.#client = await this.#connect();
    }
    for (;;) {
      const before = this.#receivedBefore = client.received;
      try {
        this.phase = "write";
        // client.write inlined: one async frame less per request.
        const request = target.request;
        let off = await client.conn.write(request);
        while (off < request.length) {
          off += await client.conn.write(request.subarray(off));
        }
        this.phase = "read";
        // Fast path: read the socket into the connection's buffer and take
        // the response from it in place, with no async frame but this one.
        let outcome = USE_READER;
        if (this.capture === null) {
          const reader = client.reader;
          const conn = client.conn;
          outcome = client.takeResponse(target.method, this.result);
          while (
            outcome === NEED_BYTES &&
            reader.added(await conn.read(reader.spare()))
          ) {
            outcome = client.takeResponse(target.method, this.result);
          }
        }
        // Anything else, an end of stream included, takes the general path,
        // which raises the same errors as ever.
        if (outcome !== TAKEN) {
          await client.readResponse(
            target.method,
            this.#scratch ??= new Uint8Array(SCRATCH_BYTES),
            this.result,
            this.capture,
          );
        }
        if (client.closed) this.#client = null;
        return;
      } catch (err) {
        if (
          !reused || !target.retryable || this.timedOut ||
          client.received !== before
        ) {
          throw err;
        }
        this.drop();
        reused = false;
        this.phase = "connect";
        client = this.#client = await this.#connect();
      }
    }
  }

  async #connect(): Promise<ClientConnection> {
    const destination = this.#target.destination;
    const attempt = openConnection(destination.connectTarget());
    let settled = false;
    const client = await new Promise<ClientConnection>((resolve, reject) => {
      this.#failConnect = (err) => {
        settled = true;
        reject(err);
      };
      attempt.then((c) => {
        // A connection that arrives after its deadline is not used.
        if (settled) c.close();
        else resolve(c);
      }, (err) => {
        if (!settled) reject(err);
      });
    }).finally(() => {
      settled = true;
      this.#failConnect = null;
    });
    this.#ctx.onConnect(client, destination);
    return client;
  }
}
