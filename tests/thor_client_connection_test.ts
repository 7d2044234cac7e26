import assert from "node:assert/strict";
import { loadRunFor } from "./helpers/load_runs.ts";
import {
  type ClientConnection,
  type ExchangeResult,
  NEED_BYTES,
  openConnection,
  TAKEN,
  USE_READER,
} from "../lib/thor/client_connection.ts";
import {
  okResponse,
  type ScriptedConnection,
  startScriptedServer,
} from "./helpers/scripted_server.ts";

const encoder = new TextEncoder();

function newResult(): ExchangeResult {
  return { status: 0, bytes: 0, keepAlive: false, headAt: 0 };
}

/** Connects to `port` and reads until `total` bytes are buffered. */
async function connectAndBuffer(
  port: number,
  total: number,
): Promise<ClientConnection> {
  const client = await openConnection({
    hostname: "127.0.0.1",
    port,
    tls: false,
    serverName: "127.0.0.1",
  });
  while (client.reader.buffered < total) {
    assert.ok(await client.reader.fill(), "the server closed too early");
  }
  return client;
}

/**
 * Runs `use` on a client connection holding all of `bytes`, sent by a
 * server that keeps the connection open until the client leaves.
 */
async function withBuffered(
  bytes: Uint8Array,
  use: (client: ClientConnection) => void | Promise<void>,
): Promise<void> {
  await using server = startScriptedServer(async (c) => {
    await c.write(bytes);
    await c.readBytes(1);
  });
  const client = await connectAndBuffer(server.port, bytes.length);
  try {
    await use(client);
  } finally {
    client.close();
  }
}

Deno.test("takeResponse takes every complete response buffered, in order", async () => {
  const first = okResponse("hello");
  const second = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n" +
    "Connection: close\r\n\r\nnope";
  const bytes = encoder.encode(first + second);
  await withBuffered(bytes, (client) => {
    const result = newResult();
    assert.equal(client.takeResponse("GET", result), TAKEN);
    assert.deepEqual([result.status, result.keepAlive], [200, true]);
    assert.equal(result.bytes, encoder.encode(first).length);
    // Head and body came in one read: no clock read of its own.
    assert.equal(result.headAt, 0);
    // The 404 announces 3 body bytes; the fourth stays buffered.
    assert.equal(client.takeResponse("GET", result), TAKEN);
    assert.deepEqual([result.status, result.keepAlive], [404, false]);
    assert.equal(result.bytes, encoder.encode(second).length - 1);
    assert.equal(client.reader.buffered, 1);
    assert.equal(client.responses, 2);
  });
});

Deno.test("takeResponse consumes nothing when it cannot take a whole response", async () => {
  const cases: Array<[string, string, number]> = [
    ["half a head", "HTTP/1.1 200 OK\r\nContent-Len", NEED_BYTES],
    [
      "a body still on its way",
      "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc",
      USE_READER,
    ],
    [
      "a chunked body",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
      USE_READER,
    ],
    ["an interim response", "HTTP/1.1 100 Continue\r\n\r\n", USE_READER],
    ["a body to the end", "HTTP/1.1 200 OK\r\n\r\nall of it", USE_READER],
    ["blank lines first", "\r\nHTTP/1.1 204 No Content\r\n\r\n", USE_READER],
    [
      "a long head still unfinished",
      `HTTP/1.1 200 OK\r\nX-Long: ${"a".repeat(5000)}`,
      USE_READER,
    ],
    ["a malformed head", "HTTP/1.1 2x0 OK\r\n\r\n", USE_READER],
  ];
  for (const [what, text, expected] of cases) {
    const bytes = encoder.encode(text);
    await withBuffered(bytes, (client) => {
      const result = newResult();
      assert.equal(client.takeResponse("GET", result), expected, what);
      assert.equal(client.reader.buffered, bytes.length, what);
      assert.equal(client.responses, 0, what);
    });
  }
});

Deno.test("takeResponse leaves a malformed head to readResponse, which rejects it", async () => {
  for (
    const text of [
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
    ]
  ) {
    await withBuffered(encoder.encode(text), async (client) => {
      const result = newResult();
      assert.equal(client.takeResponse("GET", result), USE_READER, text);
      await assert.rejects(
        client.readResponse("GET", new Uint8Array(1024), result),
        (err: unknown) =>
          err instanceof Error && "code" in err &&
          err.code ===
            (text.includes("2x0") ? "BAD_STATUS_LINE" : "BAD_HEADER"),
        text,
      );
    });
  }
});

/** Answers every request in pieces: head split, then the body. */
async function inPieces(c: ScriptedConnection): Promise<void> {
  for (;;) {
    const request = await c.readRequest();
    if (request === null) return;
    await c.write("HTTP/1.1 200 OK\r\nContent-");
    await new Promise((r) => setTimeout(r, 5));
    await c.write("Length: 5\r\n\r\n");
    await new Promise((r) => setTimeout(r, 5));
    await c.write("hello");
  }
}

Deno.test("a load run accounts responses that arrive in pieces exactly", async () => {
  await using server = startScriptedServer(inPieces);
  const run = loadRunFor(`http://127.0.0.1:${server.port}/`, {
    connections: 2,
    requests: 12,
  });
  await run.prepare();
  const stats = await run.run();
  assert.deepEqual([...stats.status], [[200, 12]]);
  assert.equal(stats.errorCount, 0);
  const perResponse = encoder.encode(
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
  ).length;
  assert.equal(stats.bytes, 12 * perResponse);
  assert.equal(server.requests.length, 12);
  assert.equal(stats.latency.count, 12);
});
