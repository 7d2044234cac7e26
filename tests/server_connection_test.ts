import assert from "node:assert/strict";
import {
  type RequestHandler,
  serveConnection,
} from "../lib/server/core/connection.ts";
import { ConnectionTracker } from "../lib/server/core/connection_tracker.ts";
import { PreparedResponse } from "../lib/server/core/prepared_response.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import { concat, parseResponses, rawExchange } from "./helpers/raw_http.ts";

const encoder = new TextEncoder();

const READY = new PreparedResponse(
  200,
  [["Content-Type", "text/plain"]],
  encoder.encode("ready body"),
);

/**
 * Serves connections on an ephemeral port with `handler` until disposed;
 * `handled` lists the targets the handler itself answered, after passing
 * each request to `onHandled`. `sendMs` is the send timeout.
 */
function serveWith(
  ready: ((req: HttpRequest) => PreparedResponse | null) | undefined,
  onHandled: (req: HttpRequest) => void = () => {},
  sendMs = 5000,
) {
  const handled: string[] = [];
  const handler: RequestHandler = async (req, res) => {
    handled.push(req.target);
    onHandled(req);
    await res.send(200, [["Content-Type", "text/plain"]], "handler body");
  };
  handler.ready = ready;
  const tracker = new ConnectionTracker(
    { headerMs: 5000, idleMs: 5000, sendMs },
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

/** A connection that sends one head at a time, each after the last answer. */
async function oneAtATime(port: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buf = new Uint8Array(65536);
  let pending = new Uint8Array(0);
  return {
    /** Sends `head` alone and resolves to the body of its answer. */
    async ask(head: string): Promise<string> {
      await conn.write(encoder.encode(head));
      for (;;) {
        const text = new TextDecoder().decode(pending);
        const end = text.indexOf("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
        if (end >= 0 && length >= 0 && pending.length >= end + 4 + length) {
          pending = pending.slice(end + 4 + length);
          return text.slice(end + 4, end + 4 + length);
        }
        const n = await conn.read(buf);
        if (n === null) throw new Error("The server closed the connection");
        const more = new Uint8Array(pending.length + n);
        more.set(pending);
        more.set(buf.subarray(0, n), pending.length);
        pending = more;
      }
    },
    close: () => conn.close(),
  };
}

Deno.test("connection: heads sent alone are told apart byte for byte, on one connection and across two", async () => {
  const seen: HttpRequest[] = [];
  const answers = new Map<string, PreparedResponse>();
  await using server = serveWith((req) => {
    seen.push(req);
    const text = `${req.path} ${req.headers.get("x-n")}`;
    let answer = answers.get(text);
    if (answer === undefined) {
      answer = new PreparedResponse(200, [], encoder.encode(text));
      answers.set(text, answer);
    }
    return answer;
  });
  const head = (path: string, n: number) =>
    `GET ${path} HTTP/1.1\r\nHost: a\r\nX-N: ${n}\r\n\r\n`;
  const one = await oneAtATime(server.port);
  const two = await oneAtATime(server.port);
  try {
    assert.equal(await one.ask(head("/ready", 1)), "/ready 1");
    assert.equal(await one.ask(head("/ready", 1)), "/ready 1");
    // The same length, one byte off: in the path, then in a field.
    assert.equal(await one.ask(head("/readz", 1)), "/readz 1");
    assert.equal(await one.ask(head("/readz", 2)), "/readz 2");
    assert.equal(await one.ask(head("/readz", 2)), "/readz 2");
    // Another connection's heads in between, the same one's and another.
    assert.equal(await two.ask(head("/readz", 2)), "/readz 2");
    assert.equal(await two.ask(head("/other", 3)), "/other 3");
    assert.equal(await one.ask(head("/readz", 2)), "/readz 2");
    assert.equal(await one.ask(head("/readz", 2)), "/readz 2");
  } finally {
    one.close();
    two.close();
  }
  // A head sent again on its connection is the request it was before;
  // never one of another head, or of another connection.
  assert.equal(seen.length, 9);
  assert.equal(seen[1], seen[0]);
  assert.notEqual(seen[2], seen[1]);
  assert.notEqual(seen[3], seen[2]);
  assert.equal(seen[4], seen[3]);
  assert.notEqual(seen[5], seen[4]);
  assert.notEqual(seen[7], seen[4]);
  assert.equal(seen[8], seen[7]);
  assert.deepEqual(server.handled, []);
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

Deno.test("connection: a ready answer to a reader slower than the send timeout, but never stalled, goes out whole", async () => {
  const big = new Uint8Array(16 * 1024 * 1024).map((_, i) => i % 251);
  const BIG = new PreparedResponse(200, [["Content-Type", "x/y"]], big);
  // The whole answer takes seconds to read; no write waits 300 ms.
  await using server = serveWith(() => BIG, undefined, 300);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(
      encoder.encode(
        "GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      ),
    );
    const buf = new Uint8Array(256 * 1024);
    const chunks: Uint8Array[] = [];
    const started = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    assert.ok(performance.now() - started > 600, "the reader was not slow");
    const [response] = parseResponses(concat(chunks), ["GET"]);
    assert.equal(response?.body.length, big.length);
    assert.deepEqual(response?.body, big);
  } finally {
    conn.close();
  }
});
