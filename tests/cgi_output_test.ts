import assert from "node:assert/strict";
import {
  CGI_MAX_HEAD_BYTES,
  CGI_MAX_HEADERS,
  CgiOutputError,
  findHeaderBlockEnd,
  parseCgiHeaderBlock,
  parseStatusValue,
} from "../lib/server/cgi/output.ts";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

function parse(head: string) {
  return parseCgiHeaderBlock(bytes(head));
}

function refused(head: string | Uint8Array, code: string) {
  assert.throws(
    () => parseCgiHeaderBlock(typeof head === "string" ? bytes(head) : head),
    (err: unknown) => err instanceof CgiOutputError && err.code === code,
  );
}

Deno.test("findHeaderBlockEnd finds LF LF and CRLF CRLF endings", () => {
  assert.deepEqual(findHeaderBlockEnd(bytes("A: 1\nB: 2\n\nbody")), {
    headLength: 9,
    bodyOffset: 11,
  });
  assert.deepEqual(findHeaderBlockEnd(bytes("A: 1\r\nB: 2\r\n\r\nbody")), {
    headLength: 11,
    bodyOffset: 14,
  });
  // Mixed endings, as a careless script prints them.
  assert.deepEqual(findHeaderBlockEnd(bytes("A: 1\r\n\nx")), {
    headLength: 5,
    bodyOffset: 7,
  });
  assert.deepEqual(findHeaderBlockEnd(bytes("A: 1\n\r\nx")), {
    headLength: 4,
    bodyOffset: 7,
  });
});

Deno.test("findHeaderBlockEnd returns null until the blank line arrives", () => {
  assert.equal(findHeaderBlockEnd(bytes("")), null);
  assert.equal(findHeaderBlockEnd(bytes("A: 1\r\n")), null);
  assert.equal(findHeaderBlockEnd(bytes("A: 1\r\nB: 2\r\n\r")), null);
  assert.equal(findHeaderBlockEnd(bytes("hello world")), null);
});

Deno.test("findHeaderBlockEnd resumes a scan across appended pieces", () => {
  const first = bytes("Content-Type: text/plain\r\n\r");
  assert.equal(findHeaderBlockEnd(first), null);
  const all = bytes("Content-Type: text/plain\r\n\r\nhi");
  assert.deepEqual(findHeaderBlockEnd(all, first.length), {
    headLength: 25,
    bodyOffset: 28,
  });
});

Deno.test("findHeaderBlockEnd reports an empty block at the very start", () => {
  assert.deepEqual(findHeaderBlockEnd(bytes("\nbody")), {
    headLength: 0,
    bodyOffset: 1,
  });
  assert.deepEqual(findHeaderBlockEnd(bytes("\r\nbody")), {
    headLength: 0,
    bodyOffset: 2,
  });
});

Deno.test("parseCgiHeaderBlock passes Content-Type and other headers through with 200", () => {
  const head = parse(
    "Content-Type: text/plain\r\nX-Custom:  yes \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2",
  );
  assert.equal(head.status, 200);
  assert.equal(head.location, null);
  assert.deepEqual(head.headers, [
    ["Content-Type", "text/plain"],
    ["X-Custom", "yes"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
  ]);
});

Deno.test("parseCgiHeaderBlock takes the status from Status and does not send it", () => {
  const head = parse("Status: 404 Not Found\nContent-Type: text/html");
  assert.equal(head.status, 404);
  assert.deepEqual(head.headers, [["Content-Type", "text/html"]]);
  assert.equal(parse("status: 201").status, 201);
});

Deno.test("parseCgiHeaderBlock turns a Location without Status into a 302", () => {
  const absolute = parse("Location: https://example.com/next");
  assert.equal(absolute.status, 302);
  assert.equal(absolute.location, "https://example.com/next");
  assert.deepEqual(absolute.headers, [[
    "Location",
    "https://example.com/next",
  ]]);
  // Local redirects are client redirects too (see cgi.ts).
  assert.equal(parse("Location: /elsewhere?x=1").status, 302);
  // A Status next to Location wins.
  assert.equal(parse("Status: 301\r\nLocation: /moved").status, 301);
});

Deno.test("parseCgiHeaderBlock drops framing and server-owned headers", () => {
  const head = parse(
    "Content-Type: text/plain\nContent-Length: 999\nTransfer-Encoding: chunked\nConnection: close\nKeep-Alive: timeout=5\nDate: yesterday\nServer: evil\nX-Ok: 1",
  );
  assert.deepEqual(head.headers, [["Content-Type", "text/plain"], [
    "X-Ok",
    "1",
  ]]);
});

Deno.test("parseCgiHeaderBlock refuses a block without any CGI field", () => {
  refused("X-Only: 1", "NO_CGI_FIELD");
  refused("", "NO_CGI_FIELD");
});

Deno.test("parseCgiHeaderBlock refuses malformed lines", () => {
  refused("Hello world", "BAD_HEADER");
  refused("Content-Type: text/plain\n<html>", "BAD_HEADER");
  refused(": no name", "BAD_HEADER");
  refused("Bad Name: x\nContent-Type: text/plain", "BAD_HEADER");
  refused("Content-Type: text/plain\n folded: line", "BAD_HEADER");
  refused("Content-Type: text/plain\nX-Ctl: a\u0000b", "BAD_HEADER");
  refused("Content-Type: text/plain\nX-Split: a\rInjected: 1", "BAD_HEADER");
  refused("Location: ", "BAD_HEADER");
});

Deno.test("parseCgiHeaderBlock refuses bad and interim statuses", () => {
  refused("Status: 999 Nope", "BAD_STATUS");
  refused("Status: abc", "BAD_STATUS");
  refused("Status: 42", "BAD_STATUS");
  refused("Status: 100 Continue", "BAD_STATUS");
  refused("Status: 2000", "BAD_STATUS");
});

Deno.test("parseCgiHeaderBlock refuses a repeated CGI field", () => {
  refused("Status: 200\nStatus: 404", "DUPLICATE_FIELD");
  refused("Content-Type: a/b\nContent-Type: c/d", "DUPLICATE_FIELD");
  refused("Location: /a\nLocation: /b", "DUPLICATE_FIELD");
});

Deno.test("parseCgiHeaderBlock enforces its size and count limits", () => {
  const many = Array.from({ length: CGI_MAX_HEADERS }, (_, i) => `X-${i}: v`);
  assert.equal(
    parse(["Content-Type: a/b", ...many.slice(1)].join("\n")).headers.length,
    CGI_MAX_HEADERS,
  );
  refused(["Content-Type: a/b", ...many].join("\n"), "TOO_MANY_HEADERS");
  refused(
    `Content-Type: text/plain\nX-Big: ${"a".repeat(CGI_MAX_HEAD_BYTES)}`,
    "HEAD_TOO_LARGE",
  );
});

Deno.test("parseCgiHeaderBlock keeps UTF-8 values intact", () => {
  const head = parse(
    'Content-Type: text/plain\nContent-Disposition: attachment; filename="café.txt"',
  );
  assert.deepEqual(head.headers[1], [
    "Content-Disposition",
    'attachment; filename="café.txt"',
  ]);
});

Deno.test("parseStatusValue accepts a code with or without a reason", () => {
  assert.equal(parseStatusValue("200"), 200);
  assert.equal(parseStatusValue("418 I'm a teapot"), 418);
  assert.equal(parseStatusValue("599"), 599);
});
