/**
 * Malformed and oversized HTTP requests from raw bytes against a real
 * spidey: each limit and each broken rule gets an HTML error page with the
 * right status and a closed connection, and a body right at the limit is
 * still read.
 */

import assert from "node:assert/strict";
import {
  assertRefused,
  exchange,
  exchangeOne,
  GET,
  startProtocolSpidey,
} from "./helpers/protocol_exchange.ts";

const encoder = new TextEncoder();

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

Deno.test("spidey refuses malformed and oversized HTTP/1.x requests", async (t) => {
  await using spidey = await startProtocolSpidey();
  const port = spidey.port;

  for (const [what, cases] of Object.entries(REFUSALS)) {
    await t.step(`refused: ${what}`, async () => {
      for (const [request, status] of cases) {
        await assertRefused(port, request, status);
      }
    });
  }

  await t.step("a body of exactly --max-body is read", async () => {
    const ok = await exchangeOne(
      port,
      GET("/hello.txt", "Content-Length: 1024\r\n") + "z".repeat(1024),
    );
    assert.equal(ok.status, 200);
    const chunked = await exchangeOne(
      port,
      GET("/hello.txt", "Transfer-Encoding: chunked\r\n") + CHUNK.repeat(2) +
        "0\r\n\r\n",
    );
    assert.equal(chunked.status, 200);
  });

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
    assert.equal((await exchangeOne(port, GET("/hello.txt"))).status, 200);
    assert.ok(!/error|panic|uncaught/i.test(spidey.stderr()), spidey.stderr());
  });
});
