/**
 * The serving loop every socket-mode server shares: announce the bound
 * socket, accept or receive until SIGINT or SIGTERM closes it, then wait
 * for the work still running.
 *
 * @module
 */

import { logInfo } from "../common/log.ts";
import { closeQuietly, formatAddr } from "../common/net.ts";
import { onStopSignal, takeUnlessStopping } from "../common/signals.ts";

/** A bound TCP listener or UDP socket. */
export interface ServedSocket {
  /** The address it is bound to. */
  readonly addr: Deno.Addr;
  /** Closes it. */
  close(): void;
}

/**
 * Serves one bound socket until a stop signal. Constructing it logs
 * `Listening on ADDR...` and starts listening for SIGINT and SIGTERM: the
 * first one closes the socket (which ends a pending accept or receive) and
 * then calls `onStop` to close what else the server holds open.
 */
export class ServeLoop {
  #stopping = false;
  readonly #socket: ServedSocket;
  readonly #removeSignals: () => void;
  readonly #tasks = new Set<Promise<unknown>>();

  /** Announces `socket` and arms the stop signals. */
  constructor(socket: ServedSocket, onStop?: () => void) {
    this.#socket = socket;
    logInfo(`Listening on ${formatAddr(socket.addr)}...`);
    this.#removeSignals = onStopSignal(() => {
      this.#stopping = true;
      closeQuietly(socket);
      onStop?.();
    });
  }

  /** True once a stop signal arrived (failures after it are expected). */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Keeps `task` (a served connection, say) for {@linkcode run} to await. */
  track(task: Promise<unknown>): void {
    const done = task.finally(() => this.#tasks.delete(done));
    this.#tasks.add(done);
  }

  /**
   * Hands each thing `take` gives (a connection, a datagram) to `handle`,
   * awaiting it, until stopped; failures of `take` are retried as
   * {@linkcode takeUnlessStopping} does, logged with `failure` if given.
   * Then stops listening for signals, awaits the tracked tasks and closes
   * the socket.
   */
  async run<T>(
    take: () => Promise<T>,
    handle: (item: T) => unknown,
    failure?: string,
  ): Promise<void> {
    try {
      while (!this.#stopping) {
        const item = await takeUnlessStopping(
          take,
          () => this.#stopping,
          failure,
        );
        if (item === null) break;
        await handle(item);
      }
    } finally {
      this.#removeSignals();
    }
    await Promise.all(this.#tasks);
    closeQuietly(this.#socket);
  }
}
