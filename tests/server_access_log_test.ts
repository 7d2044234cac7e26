import assert from "node:assert/strict";
import {
  escapeLogField,
  formatAccessLine,
  formatClfTime,
} from "../lib/server/core/access_log.ts";
import { formatLogTime } from "../lib/common/log.ts";

const CLF =
  /^(\S+) - - \[(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/;

Deno.test("formatAccessLine writes the Combined Log Format", () => {
  const line = formatAccessLine({
    remoteAddr: "127.0.0.1",
    requestLine: "GET /index.html HTTP/1.1",
    status: 200,
    bytes: 1234,
    referer: "http://a/",
    userAgent: "curl/8.0",
  });
  const m = CLF.exec(line);
  assert.ok(m, line);
  assert.equal(m[1], "127.0.0.1");
  assert.equal(m[3], "GET /index.html HTTP/1.1");
  assert.equal(m[4], "200");
  assert.equal(m[5], "1234");
  assert.equal(m[6], "http://a/");
  assert.equal(m[7], "curl/8.0");
});

Deno.test("formatAccessLine uses - for no bytes and missing headers", () => {
  const line = formatAccessLine({
    remoteAddr: "::1",
    requestLine: "HEAD / HTTP/1.0",
    status: 304,
    bytes: 0,
  });
  assert.match(line, / 304 - "-" "-"$/);
});

Deno.test("escapeLogField stops forged lines and quotes", () => {
  assert.equal(escapeLogField('a"b'), 'a\\"b');
  assert.equal(escapeLogField("a\\b"), "a\\\\b");
  assert.equal(escapeLogField("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  assert.equal(escapeLogField("\x1b[31m"), "\\x1b[31m");
  assert.equal(escapeLogField("caf\xe9\x7f"), "caf\\xe9\\x7f");
  const line = formatAccessLine({
    remoteAddr: "127.0.0.1",
    requestLine: 'GET /x" 200 1 "-" "-"\n127.0.0.1 - - [forged',
    status: 400,
    bytes: 10,
    userAgent: 'evil"\r\nagent',
  });
  assert.ok(!line.includes("\n") && !line.includes("\r"));
  const m = CLF.exec(line);
  assert.ok(m, line);
  assert.equal(m[4], "400");
});

Deno.test("formatClfTime gives the Apache time shape, cached per second", () => {
  const t = Date.UTC(2000, 9, 10, 13, 55, 36);
  const a = formatClfTime(t);
  assert.match(a, /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}$/);
  assert.equal(formatClfTime(t + 999), a);
  assert.notEqual(formatClfTime(t + 1000), a);
});

Deno.test("formatLogTime gives [YYYY-MM-DD HH:MM:SS] stamps", () => {
  const d = new Date(2024, 0, 2, 3, 4, 5);
  assert.equal(formatLogTime(d.getTime()), "2024-01-02 03:04:05");
});
