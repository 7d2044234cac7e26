/**
 * A bounded send queue for one connection, so a server relaying to many
 * clients never waits on the slowest: sends are queued and written in
 * order in the background, and a client that lets more than the limit pile
 * up is cut off instead of growing memory.
 *
 * @module
 */

import { closeQuietly, writeAll } from "../common/net.ts";
import { closeAfterMessage, type DuplexConn } from "./net.ts";

/** Queued writes to one connection, at most `limitBytes` pending. */
export class Outbox {
  #conn: DuplexConn;
  #limit: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #draining: Promise<void> = Promise.resolve();
  #closed = false;
  #finishing = false;
  #onClose: (reason: string) => void;

  /**
   * Wraps `conn`; `onClose` hears once why the outbox gave up (overflow or
   * a failed write), after it closed the connection.
   */
  constructor(
    conn: DuplexConn,
    limitBytes: number,
    onClose: (reason: string) => void,
  ) {
    this.#conn = conn;
    this.#limit = limitBytes;
    this.#onClose = onClose;
  }

  /** Bytes waiting to be written. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Queues `bytes` (not copied: they must not change afterwards). Past the
   * limit the connection is closed instead.
   */
  send(bytes: Uint8Array): void {
    if (this.#closed || this.#finishing) return;
    if (this.#queued + bytes.length > this.#limit) {
      this.#close(`more than ${this.#limit} bytes waiting to be sent`);
      return;
    }
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing) this.#draining = this.#drain();
  }

  /**
   * Writes what is queued and then `message`, and closes the connection
   * gracefully (so the peer gets to read it); later sends are dropped.
   */
  async finish(message: Uint8Array): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    while (this.#writing && !this.#closed) await this.#draining;
    if (this.#closed) return;
    this.#closed = true;
    await closeAfterMessage(this.#conn, message);
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      for (
        let c = this.#queue.shift();
        c !== undefined;
        c = this.#queue.shift()
      ) {
        await writeAll(this.#conn, c);
        if (this.#closed) return;
        this.#queued -= c.length;
      }
    } catch {
      this.#close("write failed");
    } finally {
      this.#writing = false;
    }
  }

  #close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    closeQuietly(this.#conn);
    this.#onClose(reason);
  }
}
