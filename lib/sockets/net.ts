/**
 * Socket plumbing of the modes on top of `lib/common/net.ts`: UDP sockets,
 * connecting and sending with clear errors, printing to stdout, closing
 * after a last message, ASCII upper-casing.
 *
 * @module
 */

import {
  type ByteSink,
  closeQuietly,
  describeError,
  formatHostPort,
  listenError,
  writeAll,
  writeStdout,
} from "../common/net.ts";
import { SocketModeError } from "./errors.ts";

/**
 * Binds a UDP socket (`Deno.listenDatagram`, unstable "net").
 *
 * @throws {ListenError} when the port is taken or the address unusable.
 */
export function listenUdp(hostname: string, port: number): Deno.DatagramConn {
  try {
    return Deno.listenDatagram({ hostname, port, transport: "udp" });
  } catch (err) {
    throw listenError(err, hostname, port);
  }
}

/**
 * A UDP socket on an ephemeral port for a client talking to `hostname`:
 * bound to the wildcard of the family the target is written in.
 */
export function openUdpClientSocket(hostname: string): Deno.DatagramConn {
  return listenUdp(hostname.includes(":") ? "::" : "0.0.0.0", 0);
}

/**
 * Sends one datagram to `hostname`:`port`.
 *
 * @throws {SocketModeError} `SEND_FAILED` with the reason.
 */
export async function sendDatagram(
  socket: Deno.DatagramConn,
  bytes: Uint8Array,
  hostname: string,
  port: number,
): Promise<void> {
  try {
    await socket.send(bytes, { transport: "udp", hostname, port });
  } catch (err) {
    throw new SocketModeError(
      "SEND_FAILED",
      `Cannot send to ${formatHostPort(hostname, port)}: ${describeError(err)}`,
    );
  }
}

/**
 * Connects over TCP with Nagle off (interactive lines must not wait for
 * delayed ACKs).
 *
 * @throws {SocketModeError} `CONNECT_FAILED` with the reason.
 */
export async function connectTcp(
  hostname: string,
  port: number,
): Promise<Deno.TcpConn> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname, port, transport: "tcp" });
  } catch (err) {
    throw new SocketModeError(
      "CONNECT_FAILED",
      `Cannot connect to ${formatHostPort(hostname, port)}: ${
        describeError(err)
      }`,
    );
  }
  conn.setNoDelay(true);
  return conn;
}

/** The parts of a `Deno.Conn` needed to write to it and close it well. */
export interface DuplexConn extends ByteSink {
  /** Reads into `p`; resolves to the count read, or `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Closes the sending side only. */
  closeWrite(): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

// Shared with thor, so it lives in common; re-exported for the socket modes.
export { writeStdout };

const encoder = new TextEncoder();

/** Prints one line of text to stdout (dropped once stdout is closed). */
export function printLine(text: string): void {
  writeStdout(encoder.encode(`${text}\n`));
}

/**
 * Upper-cases ASCII letters of `bytes` in place and returns it; other
 * bytes (UTF-8 sequences, binary) pass through untouched.
 */
export function asciiUpperCaseInPlace(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x61 && b <= 0x7a) bytes[i] = b - 0x20;
  }
  return bytes;
}

/**
 * Sends `message`, then closes the way HTTP servers do after an error:
 * half-close, read and discard what the peer is still sending for a
 * moment, then close. Closing at once with unread input makes the kernel
 * send a reset, which can destroy the message before the peer reads it.
 */
export async function closeAfterMessage(
  conn: DuplexConn,
  message: Uint8Array,
): Promise<void> {
  const timer = setTimeout(() => closeQuietly(conn), 500);
  try {
    await writeAll(conn, message);
    await conn.closeWrite();
    const sink = new Uint8Array(16_384);
    let discarded = 0;
    while (discarded < 1 << 20) {
      const n = await conn.read(sink);
      if (n === null) break;
      discarded += n;
    }
  } catch {
    // The peer is gone or the moment passed: nothing more to do.
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}
