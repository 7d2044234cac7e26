import assert from "node:assert/strict";
import {
  hasToken,
  HeaderSyntaxError,
  isFieldValue,
  isToken,
  latin1,
  parseHeaderFields,
  splitHeadLines,
  trimOws,
} from "../lib/http/header_fields.ts";

function syntaxError(lines: string[], code: string, max?: number): void {
  assert.throws(() => parseHeaderFields(lines, 0, max), (err: unknown) => {
    assert.ok(err instanceof HeaderSyntaxError);
    assert.equal(err.code, code);
    return true;
  });
}

Deno.test("isToken and isFieldValue", () => {
  assert.equal(isToken("Content-Type"), true);
  assert.equal(isToken("x!#$%&'*+-.^_`|~9"), true);
  for (const bad of ["", "a b", "a:b", "a\r", "a(b)", "é"]) {
    assert.equal(isToken(bad), false, bad);
  }
  assert.equal(isFieldValue("text/html; q=0.9\tx"), true);
  assert.equal(isFieldValue("caf\xe9"), true);
  for (const bad of ["a\r\nb", "a\nb", "a\rb", "a\x00", "a\x7f"]) {
    assert.equal(isFieldValue(bad), false, JSON.stringify(bad));
  }
});

Deno.test("latin1 maps each byte to one character, also past 4096 bytes", () => {
  const bytes = new Uint8Array(10_000).map((_, i) => i % 256);
  const s = latin1(bytes);
  assert.equal(s.length, 10_000);
  for (let i = 0; i < s.length; i += 997) {
    assert.equal(s.charCodeAt(i), i % 256);
  }
  assert.equal(latin1(new Uint8Array([0x63, 0xe9])), "c\xe9");
});

Deno.test("splitHeadLines accepts CRLF and LF and drops the trailing blank lines", () => {
  assert.deepEqual(splitHeadLines("A\r\nB: 1\nC: 2\r\n\r\n"), [
    "A",
    "B: 1",
    "C: 2",
  ]);
});

Deno.test("parseHeaderFields lower-cases names and trims optional whitespace", () => {
  const h = parseHeaderFields(["X-One: \t a b \t", "x-two:c"], 0);
  assert.equal(h.get("x-one"), "a b");
  assert.equal(h.get("x-two"), "c");
});

Deno.test("parseHeaderFields joins repeats by kind", () => {
  const h = parseHeaderFields([
    "Accept: a",
    "accept: b",
    "Cookie: c=1",
    "Cookie: d=2",
    "Set-Cookie: e=1",
    "Set-Cookie: f=2",
  ], 0);
  assert.equal(h.get("accept"), "a, b");
  assert.equal(h.get("cookie"), "c=1; d=2");
  assert.equal(h.get("set-cookie"), "e=1\nf=2");
});

Deno.test("parseHeaderFields refuses bad lines with stable codes", () => {
  syntaxError(["A: 1", " folded"], "OBS_FOLD");
  syntaxError(["A: 1", "\tfolded"], "OBS_FOLD");
  syntaxError(["A : 1"], "BAD_HEADER");
  syntaxError(["no colon"], "BAD_HEADER");
  syntaxError([": x"], "BAD_HEADER");
  syntaxError(["A(b): x"], "BAD_HEADER");
  syntaxError(["A: x\x01"], "BAD_HEADER");
  syntaxError(["A: 1", "B: 2", "C: 3"], "TOO_MANY_HEADERS", 2);
});

Deno.test("trimOws and hasToken", () => {
  assert.equal(trimOws(" \t x y \t "), "x y");
  assert.equal(trimOws("   "), "");
  assert.equal(hasToken("keep-alive, Close", "close"), true);
  assert.equal(hasToken("Upgrade", "close"), false);
  assert.equal(hasToken("closed", "close"), false);
  assert.equal(hasToken(undefined, "close"), false);
});
