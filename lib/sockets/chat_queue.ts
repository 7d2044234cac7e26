/**
 * The waiting line of the one-at-a-time `spidey --chat-server`: clients
 * that connect while another is chatting are accepted (so they can be
 * spoken to), told they wait and their place, told again as the line
 * moves, and told when their turn comes. What they type meanwhile stays
 * unread in their connection until then.
 *
 * @module
 */

import { closeQuietly, writeAll } from "../common/net.ts";
import { noticeLine } from "./chat_lines.ts";

/** Clients that may wait at once; later ones are told the queue is full. */
export const MAX_QUEUED_CLIENTS = 64;

/**
 * The notice of a client at `place` (from 1) in the queue: the full
 * explanation when it joins the queue, just the place as the line moves.
 */
export function waitingNotice(place: number, first: boolean): Uint8Array {
  return noticeLine(
    first
      ? `waiting: the server chats with one client at a time and you are number ${place} in the queue; what you type is read when your turn comes`
      : `waiting: you are number ${place} in the queue`,
  );
}

/** The notice of a client whose wait is over. */
export const TURN_NOTICE: Uint8Array = noticeLine(
  "your turn: the server reads your lines now",
);

/** Connections waiting for the one conversation, first come first served. */
export class ChatQueue {
  #waiting: Deno.Conn[] = [];
  #limit: number;
  #taker: ((conn: Deno.Conn | null) => void) | null = null;
  #closed = false;
  // Notices to one client go out one after another, never interleaved.
  #writes = new WeakMap<Deno.Conn, Promise<void>>();

  /** A queue holding at most `limit` waiting clients. */
  constructor(limit = MAX_QUEUED_CLIENTS) {
    this.#limit = limit;
  }

  /** Clients waiting. */
  get size(): number {
    return this.#waiting.length;
  }

  /**
   * Offers a new client: `"now"` when the conversation was free and took
   * it, `"queued"` when it waits (and was told its place), `"full"` when
   * it was turned away (told so and closed).
   */
  add(conn: Deno.Conn): "now" | "queued" | "full" {
    if (this.#taker !== null) {
      const take = this.#taker;
      this.#taker = null;
      take(conn);
      return "now";
    }
    if (this.#closed || this.#waiting.length >= this.#limit) {
      this.#tell(conn, noticeLine("the queue is full, try again later"))
        .finally(() => closeQuietly(conn));
      return "full";
    }
    this.#waiting.push(conn);
    this.#tell(conn, waitingNotice(this.#waiting.length, true));
    return "queued";
  }

  /**
   * The next client, once there is one (null once closed). A client that
   * waited is told its turn has come, and those behind it their new place.
   */
  async take(): Promise<Deno.Conn | null> {
    const next = this.#waiting.shift();
    if (next === undefined) {
      if (this.#closed) return null;
      return new Promise((resolve) => this.#taker = resolve);
    }
    this.#waiting.forEach((conn, i) =>
      this.#tell(conn, waitingNotice(i + 1, false))
    );
    await this.#tell(next, TURN_NOTICE);
    return next;
  }

  /** Closes every waiting client; a pending {@linkcode take} gets null. */
  close(): void {
    this.#closed = true;
    for (const conn of this.#waiting) closeQuietly(conn);
    this.#waiting = [];
    this.#taker?.(null);
    this.#taker = null;
  }

  #tell(conn: Deno.Conn, notice: Uint8Array): Promise<void> {
    // A client gone meanwhile shows up when its turn comes.
    const done = (this.#writes.get(conn) ?? Promise.resolve())
      .then(() => writeAll(conn, notice))
      .catch(() => {});
    this.#writes.set(conn, done);
    return done;
  }
}
