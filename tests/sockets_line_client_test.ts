import assert from "node:assert/strict";
import { framedLine } from "../lib/sockets/line_client.ts";
import { runProgram, spawnProgram } from "./helpers/socket_modes.ts";
import { makeDocroot, startSpidey } from "./helpers/spidey_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A one-connection TCP server run by the test; records what it got. */
function fakeServer(
  talk: (conn: Deno.TcpConn, clientClosed: Promise<void>) => Promise<void>,
): { port: number; received: Promise<Uint8Array> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received = (async () => {
    const conn = await listener.accept();
    listener.close();
    const got: number[] = [];
    const reading = (async () => {
      const buf = new Uint8Array(4096);
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          got.push(...buf.subarray(0, n));
        }
      } catch { /* closed by talk() */ }
    })();
    try {
      await talk(conn, reading);
    } finally {
      conn.close();
    }
    await reading;
    return new Uint8Array(got);
  })();
  return { port: (listener.addr as Deno.NetAddr).port, received };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("a line is framed with CRLF, and --http adds the blank line", () => {
  assert.equal(
    decoder.decode(framedLine(encoder.encode("GET / HTTP/1.0"), false)),
    "GET / HTTP/1.0\r\n",
  );
  assert.equal(
    decoder.decode(framedLine(encoder.encode("GET / HTTP/1.0"), true)),
    "GET / HTTP/1.0\r\n\r\n",
  );
});

Deno.test("thor --line --http fetches a page from a real spidey", async () => {
  const root = await makeDocroot({ "hello.txt": "hello from spidey\n" });
  await using spidey = await startSpidey(["-p", "0", "-d", root]);
  const result = await runProgram(
    "thor",
    ["--line", "--http", `127.0.0.1:${spidey.port}`],
    "GET /hello.txt HTTP/1.0\n",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^HTTP\/1\.[01] 200 OK\r\n/);
  assert.match(result.stdout, /\r\nContent-Length: 18\r\n/i);
  assert.ok(result.stdout.endsWith("\r\n\r\nhello from spidey\n"));
});

Deno.test("exactly one line goes out, and every byte that comes back is printed", async () => {
  const payload = new Uint8Array(70_000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 256;
  const server = fakeServer(async (conn) => {
    // A greeting before the line, then odd-sized chunks, then close.
    await conn.write(encoder.encode("hi\n"));
    let off = 0;
    for (const size of [1, 2, 255, 4096, 30_000]) {
      await conn.write(payload.subarray(off, off + size));
      off += size;
      await sleep(5);
    }
    while (off < payload.length) off += await conn.write(payload.subarray(off));
    await sleep(100); // Leave time for the client's line to arrive.
  });
  const result = await runProgram(
    "thor",
    ["--line", `127.0.0.1:${server.port}`],
    "first line\nsecond line is never sent\n",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    result.stdoutBytes,
    new Uint8Array([...encoder.encode("hi\n"), ...payload]),
  );
  assert.equal(decoder.decode(await server.received), "first line\r\n");
});

Deno.test("with empty stdin nothing is sent and the answer is still printed", async () => {
  const server = fakeServer(async (conn) => {
    await conn.write(encoder.encode("banner\r\n"));
    await sleep(200);
  });
  const result = await runProgram("thor", [
    "--line",
    `127.0.0.1:${server.port}`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "banner\r\n");
  assert.equal((await server.received).length, 0);
});

Deno.test("--idle stops waiting for a server that never closes", async () => {
  const server = fakeServer(async (conn, clientClosed) => {
    await conn.write(encoder.encode("still here\n"));
    await clientClosed; // Never closes first: the client has to give up.
  });
  const client = spawnProgram("thor", [
    "--line",
    "--idle",
    "0.3",
    `127.0.0.1:${server.port}`,
  ]);
  await client.write("ping\n");
  const status = await client.finished(10_000);
  assert.equal(status.code, 0);
  assert.equal(client.stdout(), "still here\n");
  assert.match(
    client.stderr(),
    /^thor: nothing from 127\.0\.0\.1:\d+ for 0\.3 s; closing\n$/,
  );
  await client.closeStdin();
  assert.equal(decoder.decode(await server.received), "ping\r\n");
});

Deno.test("a refused connection is one line on stderr and exit 1", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const result = await runProgram(
    "thor",
    ["--line", `127.0.0.1:${port}`],
    "x\n",
  );
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    new RegExp(`^thor: Cannot connect to 127\\.0\\.0\\.1:${port}: .+\\n$`),
  );
});
