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
  openConnection,
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

/** What every slot of a run shares. */
export interface SlotContext {
  /** Where to connect. */
  destination: Destination;
  /** The request bytes. */
  request: Uint8Array;
  /** The request method (decides whether a response has a body). */
  method: string;
  /** True when a stale keep-alive connection may be retried once. */
  retryable: boolean;
  /** Body scratch shared by slots that do not keep bodies. */
  scratch: Uint8Array;
  /** Called with each new connection (counting, logging the address). */
  onConnect(client: ClientConnection): void;
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
  readonly result: ExchangeResult = { status: 0, bytes: 0, keepAlive: false };
  /** Gathers responses to dump, or null. */
  readonly capture: ResponseCapture | null;
  /** A failure of the connection opened before the run, owed to its first request. */
  pendingError: unknown = null;
  #client: ClientConnection | null = null;
  // Bytes the connection had received when the current request was sent.
  #receivedBefore = 0;
  #failConnect: ((err: Error) => void) | null = null;
  readonly #ctx: SlotContext;
  readonly #scratch: Uint8Array;

  /** A slot of `ctx`'s run; `capture` when responses are dumped. */
  constructor(ctx: SlotContext, capture: ResponseCapture | null) {
    this.#ctx = ctx;
    this.capture = capture;
    // A dumped body piece stays in scratch until its write completes,
    // while other slots read on, so such a slot must not share it.
    this.#scratch = capture === null ? ctx.scratch : new Uint8Array(65536);
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
    const ctx = this.#ctx;
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
        const request = ctx.request;
        let off = await client.conn.write(request);
        while (off < request.length) {
          off += await client.conn.write(request.subarray(off));
        }
        this.phase = "read";
        await client.readResponse(
          ctx.method,
          this.#scratch,
          this.result,
          this.capture,
        );
        if (client.closed) this.#client = null;
        return;
      } catch (err) {
        if (
          !reused || !ctx.retryable || this.timedOut ||
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
    const attempt = openConnection(this.#ctx.destination.connectTarget());
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
    this.#ctx.onConnect(client);
    return client;
  }
}
