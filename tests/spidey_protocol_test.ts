/**
 * HTTP/1.0 and HTTP/1.1 requests from raw bytes against a real spidey: the
 * request line, headers, targets, bodies, expectations and methods, each
 * answered with a clear status. Malformed and oversized requests are in
 * spidey_limits_test.ts.
 */

import assert from "node:assert/strict";
import {
  assertErrorPage,
  assertRefused,
  exchange,
  exchangeOne,
  GET,
  startProtocolSpidey,
} from "./helpers/protocol_exchange.ts";
import { sendBodyAfterContinue } from "./helpers/expect_continue.ts";

Deno.test("spidey parses HTTP/1.x requests from raw bytes", async (t) => {
  await using spidey = await startProtocolSpidey();
  const port = spidey.port;

  await t.step("HTTP/1.1 GET", async () => {
    const res = await exchangeOne(port, GET("/hello.txt"));
    assert.equal(res.status, 200);
    assert.equal(res.text, "hello\n");
    assert.equal(res.headers.get("connection"), "close");
    assert.match(res.headers.get("server") ?? "", /^spidey\//);
    assert.ok(res.headers.has("date"));
  });

  await t.step(
    "HTTP/1.0 GET without Host closes after the response",
    async () => {
      const res = await exchangeOne(port, "GET /hello.txt HTTP/1.0\r\n\r\n");
      assert.equal(res.status, 200);
      assert.equal(res.text, "hello\n");
      assert.equal(res.headers.get("connection"), "close");
    },
  );

  await t.step("percent-decoding of the path", async () => {
    assert.equal((await exchangeOne(port, GET("/a%20b.txt"))).text, "spaced\n");
    assert.equal(
      (await exchangeOne(port, GET("/caf%C3%A9.txt"))).text,
      "accent\n",
    );
    assert.equal(
      (await exchangeOne(port, GET("/%68ello.txt"))).text,
      "hello\n",
    );
  });

  await t.step("the query string is not part of the path", async () => {
    const res = await exchangeOne(port, GET("/hello.txt?x=1&y=%20"));
    assert.equal(res.status, 200);
    assert.equal(res.text, "hello\n");
    const redirect = await exchangeOne(port, GET("/dir?a=1&b=2"));
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/dir/?a=1&b=2");
  });

  await t.step(
    "absolute-form targets; their authority overrides Host",
    async () => {
      const res = await exchangeOne(
        port,
        "GET http://example.com/hello.txt HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n",
      );
      assert.equal(res.status, 200);
      assert.equal(res.text, "hello\n");
      const http10 = await exchangeOne(
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
      const res = await sendBodyAfterContinue(
        port,
        "GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        "BODY",
      );
      assert.equal(res.status, 200);
      assert.equal(res.text, "hello\n");
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
    const res = await exchangeOne(
      port,
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n",
    );
    assert.equal(res.status, 417);
    assertErrorPage(res, 417);
  });

  await t.step("empty lines before a request are ignored", async () => {
    const res = await exchangeOne(port, "\r\n\r\n\n" + GET("/hello.txt"));
    assert.equal(res.status, 200);
  });

  await t.step("bare LF line endings are accepted", async () => {
    const res = await exchangeOne(
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
        const res = await exchangeOne(
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
    const res = await assertRefused(
      port,
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
      405,
    );
    assert.match(res.headers.get("allow") ?? "", /\bGET\b/);
  });

  await t.step("OPTIONS gets 204 with Allow, also for *", async () => {
    const file = await exchangeOne(
      port,
      "OPTIONS /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.equal(file.status, 204);
    assert.match(file.headers.get("allow") ?? "", /GET.*HEAD/);
    assert.equal(file.body.length, 0);
    const star = await exchangeOne(
      port,
      "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.equal(star.status, 204);
    assert.match(star.headers.get("allow") ?? "", /OPTIONS/);
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

  await t.step("the server is still healthy", async () => {
    assert.equal((await exchangeOne(port, GET("/hello.txt"))).status, 200);
    assert.ok(!/error|panic|uncaught/i.test(spidey.stderr()), spidey.stderr());
  });
});
