/**
 * The `--broker` room of `spidey --chat-server`: every client's lines go to
 * all the other clients with a `[name] ` prefix, joins and leaves are
 * announced, and the operator's stdin lines go to everyone as `[server]`.
 * Each client has its own bounded {@linkcode Outbox}, so one slow reader
 * cannot stall the room.
 *
 * @module
 */

import { logInfo, logWarning } from "../common/log.ts";
import { noticeLine, prefixedLine, readChatEvent } from "./chat_lines.ts";
import { LineReader } from "../common/line_reader.ts";
import { closeQuietly, formatAddr } from "../common/net.ts";
import { writeStdout } from "./net.ts";
import { Outbox } from "./outbox.ts";

/** Clients in the room at once; later ones are told it is full. */
export const MAX_ROOM_CLIENTS = 256;

/** Bytes that may wait for one client before it is cut off. */
const OUTBOX_LIMIT = 1 << 20;

interface Member {
  conn: Deno.Conn;
  name: string;
  outbox: Outbox;
  /** Why the outbox cut the member off, if it did. */
  cutOff?: string;
}

/** A chat room relaying each member's lines to all the others. */
export class ChatBroker {
  #members = new Set<Member>();
  #maxLineBytes: number;

  /** A room accepting lines of at most `maxLineBytes`. */
  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Members in the room. */
  get size(): number {
    return this.#members.size;
  }

  /** Sends `text` from the operator to every member as `[server] text`. */
  say(text: Uint8Array): void {
    this.#broadcast(prefixedLine("server", text), null);
  }

  /** Closes every member's connection (their `serve` calls then end). */
  closeAll(): void {
    for (const member of this.#members) closeQuietly(member.conn);
  }

  /** Serves one client from joining to leaving. */
  async serve(conn: Deno.Conn): Promise<void> {
    const address = formatAddr(conn.remoteAddr);
    if (this.#members.size >= MAX_ROOM_CLIENTS) {
      logWarning(`Turned away ${address}: the room is full`);
      try {
        await conn.write(noticeLine("the room is full, try again later"));
      } catch {
        // Gone already.
      }
      closeQuietly(conn);
      return;
    }
    const member: Member = {
      conn,
      name: address,
      outbox: new Outbox(conn, OUTBOX_LIMIT, (why) => member.cutOff = why),
    };
    const others = this.#members.size;
    this.#members.add(member);
    logInfo(`${address} joined (${this.#members.size} in the room)`);
    member.outbox.send(noticeLine(
      `welcome ${address}; ${others} other${others === 1 ? "" : "s"} here; ` +
        `"/name NAME" renames you, a blank line leaves`,
    ));
    this.#broadcast(noticeLine(`${member.name} joined`), member);
    let reason: string;
    try {
      const ended = await this.#relay(member);
      reason = member.cutOff ?? ended;
    } finally {
      this.#members.delete(member);
      closeQuietly(conn);
    }
    logInfo(
      `${member.name} left: ${reason} (${this.#members.size} in the room)`,
    );
    this.#broadcast(noticeLine(`${member.name} left`), null);
  }

  /** Relays the member's lines; resolves to why it stopped. */
  async #relay(member: Member): Promise<string> {
    const reader = new LineReader(member.conn, this.#maxLineBytes);
    for (;;) {
      const said = await readChatEvent(
        reader,
        (notice) => member.outbox.finish(notice),
      );
      switch (said.kind) {
        case "left":
          return said.reason;
        case "bad-name":
          member.outbox.send(noticeLine(
            `"${said.name}" is not a name: use 1 to 32 of A-Z a-z 0-9 _ . -`,
          ));
          break;
        case "rename":
          if (this.#nameTaken(said.name)) {
            member.outbox.send(noticeLine(`"${said.name}" is taken`));
          } else {
            this.#broadcast(
              noticeLine(`${member.name} is now ${said.name}`),
              null,
            );
            member.name = said.name;
          }
          break;
        case "say": {
          const relayed = prefixedLine(member.name, said.text);
          writeStdout(relayed);
          this.#broadcast(relayed, member);
        }
      }
    }
  }

  #nameTaken(name: string): boolean {
    for (const m of this.#members) if (m.name === name) return true;
    return name === "server";
  }

  #broadcast(bytes: Uint8Array, except: Member | null): void {
    for (const member of this.#members) {
      if (member !== except) member.outbox.send(bytes);
    }
  }
}
