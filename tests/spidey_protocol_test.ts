/**
 * HTTP/1.0 and HTTP/1.1 requests from raw bytes against a real spidey: the
 * request line, headers, targets, bodies, expectations and every limit,
 * each answered with a clear status.
 */

import assert from "node:assert/strict";
import { parseResponses, type RawResponse } from "./helpers/raw_http.ts";
import { makeDocroot, startSpidey } from "./helpers/spidey_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What came back on one connection. */
interface Exchange {
  responses: RawResponse[];
  raw: string;
  /** True when the server closed the connection (not our timeout). */
  closed: boolean;
}

/**
 * Sends `request` on a new connection and reads until the server closes it,
 * `expect` complete responses have arrived and stayed alone for a moment,
 * or the timeout passes.
 */
async function exchange(
  port: number,
  request: string | Uint8Array,
  methods: string[] = [],
  timeoutMs = 8000,
): Promise<Exchange> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = typeof request === "string" ? encoder.encode(request) : request;
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
  const chunks: Uint8Array[] = [];
  let closed = false;
  const timer = setTimeout(() => conn.close(), timeoutMs);
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      chunks.push(buf.slice(0, n));
    }
  } catch {
    // Our timeout closed it.
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    all.set(c, pos);
    pos += c.length;
  }
  return {
    responses: all.length === 0 ? [] : parseResponses(all, methods),
    raw: decoder.decode(all),
    closed,
  };
}

/** One request, which must be answered with exactly one response. */
async function one(
  port: number,
  request: string | Uint8Array,
  method = "GET",
): Promise<RawResponse> {
  const ex = await exchange(port, request, [method]);
  assert.equal(
    ex.responses.length,
    1,
    `one response to ${JSON.stringify(request).slice(0, 200)}:\n${
      ex.raw.slice(0, 500)
    }`,
  );
  assert.ok(ex.closed, "the server closed the connection");
  return ex.responses[0]!;
}

/** Asserts an HTML error page for `status`, with the connection closed. */
async function refused(
  port: number,
  request: string | Uint8Array,
  status: number,
): Promise<RawResponse> {
  const res = await one(port, request);
  assert.equal(res.status, status, `${JSON.stringify(request).slice(0, 120)}`);
  assertErrorPage(res, status);
  return res;
}

function assertErrorPage(res: RawResponse, status: number): void {
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  assert.ok(res.text.includes(String(status)), `page names ${status}`);
  assert.equal(res.body.length, Number(res.headers.get("content-length")));
}

const GET = (path: string, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
/** A request line for /hello.txt with `version`, a Host and `fields`. */
const REQ = (method: string, fields = "", version = "HTTP/1.1") =>
  `${method} /hello.txt ${version}\r\nHost: a\r\n${fields}\r\n`;
const CHUNK = "200\r\n" + "y".repeat(512) + "\r\n";

/**
 * Requests that must get an HTML error page and a closed connection, by
 * what is wrong with them (spidey runs with `--max-body 1024`).
 */
const REFUSALS: Record<string, Array<[string | Uint8Array, number]>> = {
  "Host rules": [
    ["GET /hello.txt HTTP/1.1\r\n\r\n", 400],
    [REQ("GET", "Host: b\r\n"), 400],
    ["GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400],
    ["GET / HTTP/1.0\r\nHost: a@b\r\n\r\n", 400],
    ["GET http://user@evil/hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ],
  "broken body framing": [
    [REQ("POST", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400],
    [REQ("POST", "Content-Length: five\r\n"), 400],
    [REQ("POST", "Content-Length: -1\r\n"), 400],
    [REQ("POST", "Content-Length: 1\r\nContent-Length: 2\r\n") + "ab", 400],
    [REQ("POST", "Transfer-Encoding: chunked\r\n") + "zz\r\n", 400],
    [REQ("POST", "Transfer-Encoding: chunked\r\n") + "3\r\nabcdef\r\n", 400],
    [REQ("POST", "Transfer-Encoding: chunked\r\n", "HTTP/1.0"), 400],
    [REQ("POST", "Transfer-Encoding: gzip\r\n"), 501],
  ],
  "obs-fold, space before a colon, bare CR, control bytes": [
    [REQ("GET", "X-A: 1\r\n  folded\r\n"), 400],
    ["GET /hello.txt HTTP/1.1\r\nHost : a\r\n\r\n", 400],
    [REQ("GET", "X: 1\rY: 2\r\n"), 400],
    [REQ("GET", "X: \x01\r\n"), 400],
  ],
  "bad syntax 400, bad version 505, malformed version 400": [
    ["GARBAGE\r\n\r\n", 400],
    ["GET /hello.txt\r\n\r\n", 400],
    ["GET  /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", 400],
    ["GET hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", 400],
    ["GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400],
    [encoder.encode("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n"), 400],
    [REQ("GET", "", "HTTP/2.0"), 505],
    [REQ("GET", "", "HTTP/3.0"), 505],
    [REQ("GET", "", "HTTP/1.x"), 400],
    [REQ("GET", "", "HTTP/11"), 400],
    [REQ("GET", "", "FTP/1.1"), 400],
  ],
  "an unknown method 501": [["BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501]],
  "a long target 414, in the head buffer or past it": [
    // The head fits in 16 KiB but the target is over 8 KiB.
    [GET("/" + "a".repeat(9000)), 414],
    // The request line alone is past the head limit.
    [GET("/" + "a".repeat(40_000)), 414],
  ],
  "a huge header section or too many fields 431": [
    [REQ("GET", `X-Big: ${"b".repeat(20_000)}\r\n`), 431],
    [REQ("GET", "X-Many: v\r\n".repeat(150)), 431],
  ],
  "a body over --max-body 413, by length or chunked": [
    [REQ("POST", "Content-Length: 2000\r\n") + "x".repeat(2000), 413],
    [REQ("POST", "Content-Length: 99999999999\r\n"), 413],
    [REQ("POST", "Transfer-Encoding: chunked\r\n") + CHUNK.repeat(3), 413],
  ],
};

Deno.test("spidey parses HTTP/1.x requests from raw bytes", async (t) => {
  const root = await makeDocroot({
    "hello.txt": "hello\n",
    "a b.txt": "spaced\n",
    "caf\u00e9.txt": "accent\n",
    "dir/inner.txt": "inner\n",
  });
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-d",
    root,
    "-f",
    "-q",
    "--max-body",
    "1024",
  ]);
  const port = spidey.port;

  await t.step("HTTP/1.1 GET", async () => {
    const res = await one(port, GET("/hello.txt"));
    assert.equal(res.status, 200);
    assert.equal(res.text, "hello\n");
    assert.equal(res.headers.get("connection"), "close");
    assert.match(res.headers.get("server") ?? "", /^spidey\//);
    assert.ok(res.headers.has("date"));
  });

  await t.step(
    "HTTP/1.0 GET without Host closes after the response",
    async () => {
      const res = await one(port, "GET /hello.txt HTTP/1.0\r\n\r\n");
      assert.equal(res.status, 200);
      assert.equal(res.text, "hello\n");
      assert.equal(res.headers.get("connection"), "close");
    },
  );

  await t.step("percent-decoding of the path", async () => {
    assert.equal((await one(port, GET("/a%20b.txt"))).text, "spaced\n");
    assert.equal((await one(port, GET("/caf%C3%A9.txt"))).text, "accent\n");
    assert.equal((await one(port, GET("/%68ello.txt"))).text, "hello\n");
  });

  await t.step("the query string is not part of the path", async () => {
    const res = await one(port, GET("/hello.txt?x=1&y=%20"));
    assert.equal(res.status, 200);
    assert.equal(res.text, "hello\n");
    const redirect = await one(port, GET("/dir?a=1&b=2"));
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/dir/?a=1&b=2");
  });

  await t.step(
    "absolute-form targets; their authority overrides Host",
    async () => {
      const res = await one(
        port,
        "GET http://example.com/hello.txt HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n",
      );
      assert.equal(res.status, 200);
      assert.equal(res.text, "hello\n");
      const http10 = await one(
        port,
        "GET http://example.com:80/dir/inner.txt HTTP/1.0\r\n\r\n",
      );
      assert.equal(http10.text, "inner\n");
    },
  );

  await t.step("HEAD has the GET head and no body", async () => {
    const ex = await exchange(
      port,
      `HEAD /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
      ["HEAD"],
    );
    assert.equal(ex.responses.length, 1);
    const res = ex.responses[0]!;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "6");
    assert.ok(ex.raw.endsWith("\r\n\r\n"), "nothing after the head");
    const missing = await exchange(
      port,
      `HEAD /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
      ["HEAD"],
    );
    assert.equal(missing.responses[0]!.status, 404);
    assert.ok(missing.raw.endsWith("\r\n\r\n"));
    const bad = await exchange(port, `HEAD /x HTTP/1.1\r\n\r\n`, ["HEAD"]);
    assert.equal(bad.responses[0]!.status, 400);
    assert.ok(
      bad.raw.endsWith("\r\n\r\n"),
      "a refused HEAD has no body either",
    );
  });

  await t.step(
    "a Content-Length body is read, and what follows is the next request",
    async () => {
      const ex = await exchange(
        port,
        "GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nHELLO" +
          "GET /dir/inner.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        ["GET", "GET"],
      );
      assert.deepEqual(ex.responses.map((r) => r.text), ["hello\n", "inner\n"]);
    },
  );

  await t.step(
    "a chunked body is accepted, and what follows is the next request",
    async () => {
      const ex = await exchange(
        port,
        "GET /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
          "5;ext=x\r\nHELLO\r\n3\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n" +
          "GET /dir/inner.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        ["GET", "GET"],
      );
      assert.deepEqual(ex.responses.map((r) => r.status), [200, 200]);
      assert.deepEqual(ex.responses.map((r) => r.text), ["hello\n", "inner\n"]);
    },
  );

  await t.step(
    "Expect: 100-continue gets 100 Continue before the final answer",
    async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(encoder.encode(
          "GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        ));
        const buf = new Uint8Array(4096);
        let text = "";
        while (!text.includes("\r\n\r\n")) {
          const n = await conn.read(buf);
          assert.notEqual(n, null, "closed before 100 Continue");
          text += decoder.decode(buf.subarray(0, n!));
        }
        assert.equal(text, "HTTP/1.1 100 Continue\r\n\r\n");
        await conn.write(encoder.encode("BODY"));
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          text += decoder.decode(buf.subarray(0, n));
        }
        const final = text.slice("HTTP/1.1 100 Continue\r\n\r\n".length);
        const [res] = parseResponses(encoder.encode(final));
        assert.equal(res!.status, 200);
        assert.equal(res!.text, "hello\n");
      } finally {
        conn.close();
      }
    },
  );

  await t.step("a body refused up front gets no 100 Continue", async () => {
    const ex = await exchange(
      port,
      "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
    );
    assert.ok(ex.raw.startsWith("HTTP/1.1 413 "), ex.raw.slice(0, 100));
    assert.ok(ex.closed);
  });

  await t.step("an unknown expectation gets 417", async () => {
    const res = await one(
      port,
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n",
    );
    assert.equal(res.status, 417);
    assertErrorPage(res, 417);
  });

  await t.step("empty lines before a request are ignored", async () => {
    const res = await one(port, "\r\n\r\n\n" + GET("/hello.txt"));
    assert.equal(res.status, 200);
  });

  await t.step("bare LF line endings are accepted", async () => {
    const res = await one(
      port,
      "GET /hello.txt HTTP/1.1\nHost: a\nConnection: close\n\n",
    );
    assert.equal(res.status, 200);
    assert.equal(res.text, "hello\n");
  });

  await t.step(
    "PUT, DELETE, PATCH, TRACE on a file get 405 with Allow",
    async () => {
      for (const method of ["PUT", "DELETE", "PATCH", "TRACE"]) {
        const res = await one(
          port,
          `${method} /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
        );
        assert.equal(res.status, 405, method);
        assertErrorPage(res, 405);
        const allow = res.headers.get("allow") ?? "";
        assert.match(allow, /\bGET\b/);
        assert.ok(!allow.includes(method), `${method} not allowed: ${allow}`);
      }
    },
  );

  await t.step("CONNECT gets 405 with Allow", async () => {
    const res = await refused(
      port,
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
      405,
    );
    assert.match(res.headers.get("allow") ?? "", /\bGET\b/);
  });

  await t.step("OPTIONS gets 204 with Allow, also for *", async () => {
    const file = await one(
      port,
      "OPTIONS /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.equal(file.status, 204);
    assert.match(file.headers.get("allow") ?? "", /GET.*HEAD/);
    assert.equal(file.body.length, 0);
    const star = await one(
      port,
      "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.equal(star.status, 204);
    assert.match(star.headers.get("allow") ?? "", /OPTIONS/);
  });

  for (const [what, cases] of Object.entries(REFUSALS)) {
    await t.step(`refused: ${what}`, async () => {
      for (const [request, status] of cases) {
        await refused(port, request, status);
      }
    });
  }

  await t.step("a body of exactly --max-body is read", async () => {
    const ok = await one(
      port,
      GET("/hello.txt", "Content-Length: 1024\r\n") + "z".repeat(1024),
    );
    assert.equal(ok.status, 200);
    const chunked = await one(
      port,
      GET("/hello.txt", "Transfer-Encoding: chunked\r\n") + CHUNK.repeat(2) +
        "0\r\n\r\n",
    );
    assert.equal(chunked.status, 200);
  });

  await t.step(
    "404 and friends are HTML pages that keep the connection",
    async () => {
      const ex = await exchange(
        port,
        "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n" + GET("/hello.txt"),
        ["GET", "GET"],
      );
      assert.deepEqual(ex.responses.map((r) => r.status), [404, 200]);
      assertErrorPage(ex.responses[0]!, 404);
    },
  );

  await t.step(
    "a parse error closes the connection, dropping what follows",
    async () => {
      const ex = await exchange(
        port,
        "GET /hello.txt HTTP/1.1\r\nHost : a\r\n\r\n" + GET("/hello.txt"),
        ["GET", "GET"],
      );
      assert.equal(ex.responses.length, 1);
      assert.equal(ex.responses[0]!.status, 400);
      assert.equal(ex.responses[0]!.headers.get("connection"), "close");
      assert.ok(ex.closed);
    },
  );

  await t.step("the server is still healthy", async () => {
    assert.equal((await one(port, GET("/hello.txt"))).status, 200);
    assert.ok(!/error|panic|uncaught/i.test(spidey.stderr()), spidey.stderr());
  });
});
