/**
 * The accept loop the TCP server modes (`--echo-server`, `--chat-server`)
 * share: listen on the configured address, hand each connection to the
 * mode until SIGINT or SIGTERM, then log `Stopped`.
 *
 * @module
 */

import { logInfo } from "../common/log.ts";
import { listenTcp } from "../common/net.ts";
import { ServeLoop } from "./serve_loop.ts";

/** A {@linkcode ServeLoop} over a TCP listener it opened itself. */
export class TcpServeLoop extends ServeLoop {
  readonly #listener: Deno.TcpListener;

  /**
   * Listens on `address` (which throws if it cannot), logs
   * `Listening on ADDR...` and arms the stop signals; the first stop signal
   * closes the listener and then calls `onStop` to close what else the
   * server holds open.
   */
  constructor(
    address: { hostname: string; port: number },
    onStop?: () => void,
  ) {
    const listener = listenTcp(address.hostname, address.port);
    super(listener, onStop);
    this.#listener = listener;
  }

  /**
   * Hands each accepted connection to `handle` (awaited) until stopped,
   * logging failed accepts as `Accept failed`; then awaits the tracked
   * tasks, closes the listener and logs `Stopped`.
   */
  async acceptEach(handle: (conn: Deno.TcpConn) => unknown): Promise<void> {
    await this.run(() => this.#listener.accept(), handle, "Accept failed");
    logInfo("Stopped");
  }
}
