import assert from "node:assert/strict";
import {
  type RequestHandler,
  serveConnection,
} from "../lib/server/core/connection.ts";
import { ConnectionTracker } from "../lib/server/core/connection_tracker.ts";
import { PreparedResponse } from "../lib/server/core/prepared_response.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import { parseResponses, rawExchange } from "./helpers/raw_http.ts";

const encoder = new TextEncoder();

const READY = new PreparedResponse(
  200,
  [["Content-Type", "text/plain"]],
  encoder.encode("ready body"),
);

/**
 * Serves connections on an ephemeral port with `handler` until disposed;
 * `handled` lists the targets the handler itself answered, after passing
 * each request to `onHandled`.
 */
function serveWith(
  ready: ((req: HttpRequest) => PreparedResponse | null) | undefined,
  onHandled: (req: HttpRequest) => void = () => {},
) {
  const handled: string[] = [];
  const handler: RequestHandler = async (req, res) => {
    handled.push(req.target);
    onHandled(req);
    await res.send(200, [["Content-Type", "text/plain"]], "handler body");
  };
  handler.ready = ready;
  const tracker = new ConnectionTracker(
    { headerMs: 5000, idleMs: 5000, sendMs: 5000 },
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      served.push(serveConnection(conn, {
        handler,
        tracker,
        oneRequest: false,
        maxHeadBytes: 8192,
        maxBodyBytes: 1024,
        accessLog: false,
      }));
    }
  })();
  return {
    port: listener.addr.port,
    handled,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      await Promise.all(served);
      tracker.stop();
    },
  };
}

/** Sends `requests` on one connection; the parsed responses. */
async function send(port: number, requests: string, methods: string[]) {
  const bytes = await rawExchange(port, requests, { timeoutMs: 3000 });
  return parseResponses(bytes, methods);
}

Deno.test("connection: a ready answer goes out without calling the handler, keep-alive and HEAD kept", async () => {
  await using server = serveWith((req) => req.path === "/ready" ? READY : null);
  const [get, head, other, last] = await send(
    server.port,
    "GET /ready HTTP/1.1\r\nHost: a\r\n\r\n" +
      "HEAD /ready HTTP/1.1\r\nHost: a\r\n\r\n" +
      "GET /other HTTP/1.1\r\nHost: a\r\n\r\n" +
      "GET /ready HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    ["GET", "HEAD", "GET", "GET"],
  );
  assert.equal(get?.status, 200);
  assert.equal(get?.text, "ready body");
  assert.equal(get?.headers.get("connection"), "keep-alive");
  assert.equal(head?.status, 200);
  assert.equal(head?.headers.get("content-length"), "10");
  assert.equal(head?.body.length, 0);
  assert.equal(other?.text, "handler body");
  assert.equal(last?.text, "ready body");
  assert.equal(last?.headers.get("connection"), "close");
  assert.deepEqual(server.handled, ["/other"]);
});

Deno.test("connection: a head sent again gets the request the ready path saw, never one a handler had", async () => {
  const seen: HttpRequest[] = [];
  await using server = serveWith(
    (req) => {
      seen.push(req);
      return seen.length === 2 ? null : READY;
    },
    // The handler may add to a request, as authentication does.
    (req) => req.remoteUser = "someone",
  );
  const head = "GET /ready HTTP/1.1\r\nHost: a\r\n\r\n";
  const responses = await send(
    server.port,
    head.repeat(4) +
      "GET /ready HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    ["GET", "GET", "GET", "GET", "GET"],
  );
  assert.deepEqual(responses.map((r) => r?.text), [
    "ready body",
    "handler body",
    "ready body",
    "ready body",
    "ready body",
  ]);
  assert.equal(seen.length, 5);
  // The second head is the first again: the same request, which the
  // handler then had; so the third is a new one, and the fourth is that.
  assert.equal(seen[1], seen[0]);
  assert.notEqual(seen[2], seen[1]);
  assert.equal(seen[2]?.remoteUser, undefined);
  assert.equal(seen[3], seen[2]);
  assert.notEqual(seen[4], seen[3]);
  assert.equal(seen[4]?.headers.get("connection"), "close");
});

Deno.test("connection: a request with a body, or a ready check that throws, goes to the handler", async () => {
  await using server = serveWith((req) => {
    if (req.path === "/broken") throw new Error("lookup failed");
    return READY;
  });
  const responses = await send(
    server.port,
    "POST /ready HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
      "GET /broken HTTP/1.1\r\nHost: a\r\n\r\n" +
      "GET /ready HTTP/1.0\r\n\r\n",
    ["POST", "GET", "GET"],
  );
  assert.deepEqual(
    responses.map((r) => r.text),
    ["handler body", "handler body", "ready body"],
  );
  // HTTP/1.0 without keep-alive: the ready answer closes the connection.
  assert.equal(responses[2]?.headers.get("connection"), "close");
  assert.deepEqual(server.handled, ["/ready", "/broken"]);
});

Deno.test("connection: a ready answer larger than the socket takes goes out whole to a slow reader, then the next request", async () => {
  const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 253);
  const BIG = new PreparedResponse(200, [["Content-Type", "x/y"]], big);
  await using server = serveWith(() => BIG);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(
      encoder.encode(
        "GET /big HTTP/1.1\r\nHost: a\r\n\r\n" +
          "GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      ),
    );
    // Read slowly at first, so that the server's writes stop part way.
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    let total = 0;
    for (let reads = 0;; reads++) {
      if (reads < 20) await new Promise((r) => setTimeout(r, 10));
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      total += n;
    }
    const all = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    const responses = parseResponses(all, ["GET", "GET"]);
    assert.equal(responses.length, 2);
    for (const r of responses) {
      assert.equal(r.status, 200);
      assert.equal(r.body.length, big.length);
      assert.deepEqual(r.body, big);
    }
    assert.deepEqual(server.handled, []);
  } finally {
    conn.close();
  }
});
