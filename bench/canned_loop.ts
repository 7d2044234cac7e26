/**
 * The floor for a Deno HTTP server on this machine: a raw `Deno.listen`
 * loop that reads, counts the request ends (`\r\n\r\n`) it sees, and
 * writes that many copies of one prepared response: a 1 KiB text body, or
 * the bytes of BODY_FILE (e.g. a listing page spidey served) as TYPE. No
 * parsing, no routing, no file system: whatever spidey spends beyond this
 * on a cached hit of the same bytes is its own request path.
 *
 * Usage: deno run --allow-net [--allow-read] bench/canned_loop.ts PORT
 *          [BODY_FILE [TYPE]]
 *
 * @module
 */

import { answerCanned } from "./canned_answer.ts";

const [portText, bodyFile, type = "text/html; charset=utf-8"] = Deno.args;
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error("usage: canned_loop.ts PORT [BODY_FILE [TYPE]]");
  Deno.exit(2);
}

const encoder = new TextEncoder();
const body = bodyFile === undefined
  ? encoder.encode("x".repeat(1023) + "\n")
  : await Deno.readFile(bodyFile);
const head = encoder.encode(
  `HTTP/1.1 200 OK\r\nServer: canned\r\nContent-Type: ${
    bodyFile === undefined ? "text/plain" : type
  }\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`,
);
const response = new Uint8Array(head.length + body.length);
response.set(head);
response.set(body, head.length);

/** Answers one client until it leaves. */
async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  try {
    await answerCanned(conn, response);
  } catch {
    // The client went away.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port });
for await (const conn of listener) serve(conn);
