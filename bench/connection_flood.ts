/**
 * Opens many connections to a server at once, sends one keep-alive GET on
 * each and reads its answer, then holds them open and idle: for the time
 * a server needs to take a burst of connections, and for its memory per
 * idle keep-alive connection. Loopback only; bounded by `--hold` and a
 * per-phase deadline.
 *
 * Usage: deno run -A bench/connection_flood.ts --port N [--count N]
 *          [--path /1k.txt] [--hold S]
 *
 * Prints one JSON line when every connection is open and answered (or
 * failed): `{"count", "connected", "answered", "failed", "connect_ms",
 * "answer_ms"}`; then holds the connections for `--hold` seconds (or until
 * standard input closes, when `--hold` is 0) and closes them.
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string" },
    count: { type: "string", default: "1000" },
    path: { type: "string", default: "/1k.txt" },
    hold: { type: "string", default: "0" },
    deadline: { type: "string", default: "60" },
  },
});
const port = Number(values.port);
const count = Number(values.count);
const holdS = Number(values.hold);
const deadlineMs = Number(values.deadline) * 1000;
if (
  !Number.isInteger(port) || port < 1 || port > 65535 ||
  !Number.isInteger(count) || count < 1 || count > 60_000 ||
  !(holdS >= 0) || !(deadlineMs > 0)
) {
  console.error(
    "usage: connection_flood.ts --port N [--count 1..60000] [--path P] [--hold S] [--deadline S]",
  );
  Deno.exit(2);
}

const request = new TextEncoder().encode(
  `GET ${values.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
);
const HEAD_END = [13, 10, 13, 10];

/** Reads one response with a Content-Length body; false if it never came. */
async function readResponse(conn: Deno.Conn): Promise<boolean> {
  const buf = new Uint8Array(16384);
  let got = 0;
  for (;;) {
    const n = await conn.read(buf.subarray(got));
    if (n === null) return false;
    got += n;
    const text = new TextDecoder().decode(buf.subarray(0, got));
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      if (got === buf.length) return false;
      continue;
    }
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
    const need = end + HEAD_END.length + Number(m?.[1] ?? 0);
    if (got >= need) return true;
    if (need > buf.length) return false;
  }
}

const conns: Deno.Conn[] = [];
let connected = 0;
let answered = 0;
let failed = 0;
let connectMs = 0;
const started = performance.now();

async function one(): Promise<void> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    failed++;
    return;
  }
  conns.push(conn);
  if (++connected === count) connectMs = performance.now() - started;
  try {
    await conn.write(request);
    if (await readResponse(conn)) answered++;
    else failed++;
  } catch {
    failed++;
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;
const overdue = new Promise<void>((resolve) => {
  timer = setTimeout(resolve, deadlineMs);
});
await Promise.race([
  Promise.all(Array.from({ length: count }, one)),
  overdue,
]);
clearTimeout(timer);
const answerMs = performance.now() - started;
console.log(JSON.stringify({
  count,
  connected,
  answered,
  failed,
  connect_ms: Math.round(connectMs),
  answer_ms: Math.round(answerMs),
}));

if (holdS > 0) {
  await new Promise((resolve) => setTimeout(resolve, holdS * 1000));
} else {
  // Held until the caller closes our standard input.
  const sink = new Uint8Array(64);
  while (await Deno.stdin.read(sink) !== null) { /* wait */ }
}
for (const c of conns) {
  try {
    c.close();
  } catch {
    // Closed by the server already.
  }
}
Deno.exit(0);
