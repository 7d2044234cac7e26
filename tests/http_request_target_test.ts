import assert from "node:assert/strict";
import { HttpError } from "../lib/http/errors.ts";
import {
  decodePath,
  encodePath,
  isValidHost,
  parseRequestTarget,
} from "../lib/http/request_target.ts";

function refuses(target: string, status: number, method = "GET"): void {
  assert.throws(() => parseRequestTarget(target, method), (err: unknown) => {
    assert.ok(err instanceof HttpError, `not an HttpError: ${err}`);
    assert.equal(err.status, status, `${target}: ${err.code}`);
    return true;
  });
}

Deno.test("origin-form: path decoded once, query kept encoded", () => {
  const t = parseRequestTarget("/a%20b/c%2Fd?x=%20&y", "GET");
  assert.equal(t.form, "origin");
  assert.equal(t.rawPath, "/a%20b/c%2Fd");
  assert.equal(t.path, "/a b/c/d");
  assert.equal(t.query, "x=%20&y");
  assert.equal(t.authority, undefined);
  assert.equal(parseRequestTarget("/x?", "GET").query, "");
  assert.equal(parseRequestTarget("/caf%C3%A9", "GET").path, "/café");
});

Deno.test("double encoding is decoded only once", () => {
  assert.equal(parseRequestTarget("/%252e%252e/x", "GET").path, "/%2e%2e/x");
  assert.equal(parseRequestTarget("/%2e%2e/x", "GET").path, "/../x");
});

Deno.test("absolute-form gives the authority and the path", () => {
  const t = parseRequestTarget("http://Example.com:8080/p/q?z=1", "GET");
  assert.equal(t.form, "absolute");
  assert.equal(t.authority, "Example.com:8080");
  assert.equal(t.path, "/p/q");
  assert.equal(t.query, "z=1");
  const bare = parseRequestTarget("HTTPS://h", "GET");
  assert.equal(bare.path, "/");
  assert.equal(bare.authority, "h");
  const q = parseRequestTarget("http://h?a=b", "GET");
  assert.equal(q.path, "/");
  assert.equal(q.query, "a=b");
  assert.equal(parseRequestTarget("http://x/../", "GET").path, "/../");
});

Deno.test("absolute-form with a bad authority gets 400", () => {
  refuses("http:///p", 400);
  refuses("http://user@h/p", 400);
  refuses("http://a b/p", 400);
  refuses("http://h:port/p", 400);
  refuses("ftp://h/p", 400);
  refuses("h/p", 400);
});

Deno.test("asterisk-form only for OPTIONS", () => {
  assert.equal(parseRequestTarget("*", "OPTIONS").form, "asterisk");
  refuses("*", 400, "GET");
});

Deno.test("CONNECT is refused with 405 and Allow", () => {
  assert.throws(() => parseRequestTarget("example.com:443", "CONNECT"), (
    err: unknown,
  ) => {
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 405);
    assert.ok(err.headers.some(([k]) => k === "Allow"));
    return true;
  });
});

Deno.test("bad percent-encoding, NUL, overlong UTF-8 and fragments get 400", () => {
  refuses("/a%", 400);
  refuses("/a%2", 400);
  refuses("/a%zz", 400);
  refuses("/a%00b", 400);
  refuses("/%c0%ae%c0%ae/x", 400);
  refuses("/%ff", 400);
  refuses("/%ed%a0%80", 400); // a UTF-16 surrogate encoded as UTF-8
  refuses("/a#frag", 400);
});

Deno.test("decodePath passes plain paths through untouched", () => {
  const plain = "/just/a/path.txt";
  assert.equal(decodePath(plain), plain);
  assert.equal(decodePath("/%41%62"), "/Ab");
});

Deno.test("encodePath escapes each segment and keeps slashes", () => {
  assert.equal(encodePath("/a b/c?d#e/"), "/a%20b/c%3Fd%23e/");
  assert.equal(encodePath("/café"), "/caf%C3%A9");
  assert.equal(decodePath(encodePath("/x y/%z")), "/x y/%z");
});

Deno.test("isValidHost accepts hosts and ports, nothing else", () => {
  for (const ok of ["a", "a.b:1", "[::1]", "[::1]:80", "1.2.3.4", ""]) {
    assert.equal(isValidHost(ok), true, ok);
  }
  for (const bad of ["a b", "a/b", "a@b", "a,b", "a:b", "[::1", "a\tb"]) {
    assert.equal(isValidHost(bad), false, bad);
  }
});

Deno.test("parseRequestTarget: a repeated target reuses its parts, never its verdict on another method", () => {
  const first = parseRequestTarget("/same/path?q=1", "GET");
  assert.equal(parseRequestTarget("/same/path?q=1", "HEAD"), first);
  assert.equal(first.path, "/same/path");
  assert.equal(first.query, "q=1");
  // The reuse never lets through what the method makes wrong.
  refuses("/same/path?q=1", 405, "CONNECT");
  parseRequestTarget("*", "OPTIONS");
  refuses("*", 400, "GET");
  // A refused target is refused again, and leaves the last good one be.
  const good = parseRequestTarget("/good", "GET");
  refuses("/bad%zz", 400);
  refuses("/bad%zz", 400);
  assert.equal(parseRequestTarget("/good", "GET"), good);
  assert.deepEqual(parseRequestTarget("/same/path?q=1", "GET"), first);
});
