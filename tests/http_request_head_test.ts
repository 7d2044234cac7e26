import assert from "node:assert/strict";
import { HttpError } from "../lib/http/errors.ts";
import {
  isRequestLineUnfinished,
  parseRequestHead,
  parseRequestLine,
} from "../lib/http/request_head.ts";

const encoder = new TextEncoder();

function parse(text: string) {
  return parseRequestHead(encoder.encode(text));
}

function refuses(text: string, status: number, code?: string): void {
  assert.throws(() => parse(text), (err: unknown) => {
    assert.ok(err instanceof HttpError, `not an HttpError: ${err}`);
    assert.equal(err.status, status, `${JSON.stringify(text)}: ${err.code}`);
    if (code !== undefined) assert.equal(err.code, code);
    return true;
  });
}

Deno.test("parseRequestHead reads the request line and fields", () => {
  const head = parse(
    "GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept:  text/html \r\nX-Empty:\r\n\r\n",
  );
  assert.equal(head.method, "GET");
  assert.equal(head.target, "/a%20b?x=1");
  assert.equal(head.version, "HTTP/1.1");
  assert.equal(head.headers.get("host"), "example.com:8080");
  assert.equal(head.headers.get("accept"), "text/html");
  assert.equal(head.headers.get("x-empty"), "");
});

Deno.test("parseRequestHead accepts bare LF line endings", () => {
  const head = parse("HEAD / HTTP/1.1\nHost: a\nX-A: 1\n\n");
  assert.equal(head.method, "HEAD");
  assert.equal(head.headers.get("x-a"), "1");
});

Deno.test("HTTP/1.0 needs no Host; HTTP/1.1 does", () => {
  assert.equal(parse("GET / HTTP/1.0\r\n\r\n").version, "HTTP/1.0");
  refuses("GET / HTTP/1.1\r\n\r\n", 400, "MISSING_HOST");
});

Deno.test("Host must be single and valid", () => {
  refuses("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.1\r\nHost: a:port\r\n\r\n", 400, "BAD_HOST");
  refuses("GET / HTTP/1.0\r\nHost: a b\r\n\r\n", 400, "BAD_HOST");
  for (const ok of ["a", "a:80", "127.0.0.1:9", "[::1]:80", "xn--d-ia.b", ""]) {
    assert.equal(
      parse(`GET / HTTP/1.1\r\nHost: ${ok}\r\n\r\n`).headers.get("host"),
      ok,
    );
  }
});

Deno.test("obs-fold, whitespace before the colon and bare CR get 400", () => {
  refuses("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400, "OBS_FOLD");
  refuses("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n", 400, "OBS_FOLD");
  refuses("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "BAD_HEADER");
  refuses("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, "BAD_HEADER");
  refuses("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, "BARE_CR");
  refuses("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "BARE_CR");
  refuses("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "BAD_HEADER");
  refuses("GET / HTTP/1.1\r\n: empty\r\n\r\n", 400, "BAD_HEADER");
  refuses("GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 400, "BAD_HEADER");
  refuses("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", 400, "BAD_HEADER");
});

Deno.test("too many header fields get 431", () => {
  const fields = Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join(
    "",
  );
  refuses(
    `GET / HTTP/1.1\r\nHost: a\r\n${fields}\r\n`,
    431,
    "TOO_MANY_HEADERS",
  );
  const ok = Array.from({ length: 99 }, (_, i) => `X-${i}: v\r\n`).join("");
  assert.equal(
    parse(`GET / HTTP/1.1\r\nHost: a\r\n${ok}\r\n`).headers.size,
    100,
  );
});

Deno.test("repeated fields are joined; cookies with semicolons", () => {
  const head = parse(
    "GET / HTTP/1.1\r\nHost: a\r\nAccept: a\r\nACCEPT: b\r\nCookie: x=1\r\ncookie: y=2\r\n\r\n",
  );
  assert.equal(head.headers.get("accept"), "a, b");
  assert.equal(head.headers.get("cookie"), "x=1; y=2");
});

Deno.test("parseRequestLine: versions", () => {
  assert.equal(parseRequestLine("GET / HTTP/1.0").version, "HTTP/1.0");
  assert.equal(parseRequestLine("GET / HTTP/1.1").version, "HTTP/1.1");
  // A later 1.x minor version is answered as 1.1.
  assert.equal(parseRequestLine("GET / HTTP/1.9").version, "HTTP/1.1");
  refuses("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "VERSION_NOT_SUPPORTED");
  refuses("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505, "VERSION_NOT_SUPPORTED");
  refuses("GET / HTTP/0.9\r\n\r\n", 505);
  for (
    const bad of ["HTTP/1", "HTTP/1.10", "http/1.1", "HTTP/1.1x", "HTP/1.1"]
  ) {
    refuses(`GET / ${bad}\r\nHost: a\r\n\r\n`, 400, "BAD_VERSION");
  }
});

Deno.test("parseRequestLine: malformed lines get 400", () => {
  refuses("GET\r\n\r\n", 400, "BAD_REQUEST_LINE");
  refuses("GET /\r\n\r\n", 400, "BAD_REQUEST_LINE");
  refuses(" / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_REQUEST_LINE");
  refuses("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_TARGET");
  refuses("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
  refuses("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_TARGET");
  refuses("GET /\xe9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_TARGET");
  refuses("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_METHOD");
});

Deno.test("parseRequestLine: unknown methods get 501, known ones pass", () => {
  refuses("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501, "UNKNOWN_METHOD");
  refuses("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "UNKNOWN_METHOD");
  for (
    const m of ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE"]
  ) {
    assert.equal(parseRequestLine(`${m} / HTTP/1.1`).method, m);
  }
});

Deno.test("parseRequestLine: long targets get 414 at the limit", () => {
  const limits = { maxTargetLength: 10, maxHeaderCount: 100 };
  assert.equal(
    parseRequestLine("GET /123456789 HTTP/1.1", limits).target,
    "/123456789",
  );
  assert.throws(
    () => parseRequestLine("GET /1234567890 HTTP/1.1", limits),
    (err: unknown) => err instanceof HttpError && err.status === 414,
  );
  refuses(`GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414);
});

Deno.test("isRequestLineUnfinished tells 414 from 431 for huge heads", () => {
  assert.equal(isRequestLineUnfinished(encoder.encode("GET /aaaa")), true);
  assert.equal(
    isRequestLineUnfinished(encoder.encode("GET / HTTP/1.1\r\nX: aaa")),
    false,
  );
});
