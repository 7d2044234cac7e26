import assert from "node:assert/strict";
import {
  relayScriptStderr,
  STDERR_LINE_LIMIT,
  STDERR_RUN_LIMIT,
  StderrLineSplitter,
} from "../lib/server/cgi/stderr.ts";

const enc = new TextEncoder();

function streamOf(
  ...pieces: Array<string | Uint8Array>
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) {
        controller.enqueue(typeof p === "string" ? enc.encode(p) : p);
      }
      controller.close();
    },
  });
}

Deno.test("StderrLineSplitter joins pieces and splits on LF and CRLF", () => {
  const s = new StderrLineSplitter();
  assert.deepEqual(s.push("one\r\ntw"), ["one"]);
  assert.deepEqual(s.push("o\nthree"), ["two"]);
  assert.deepEqual(s.flush(), ["three"]);
  assert.deepEqual(s.flush(), []);
});

Deno.test("StderrLineSplitter escapes control characters", () => {
  const s = new StderrLineSplitter();
  assert.deepEqual(s.push("a\x1b[31mred\rfake\tok\n"), [
    "a\\x1b[31mred\\x0dfake\tok",
  ]);
});

Deno.test("StderrLineSplitter cuts overlong lines", () => {
  const s = new StderrLineSplitter();
  const lines = s.push("x".repeat(STDERR_LINE_LIMIT * 2 + 5));
  assert.deepEqual(lines.map((l) => l.length), [
    STDERR_LINE_LIMIT,
    STDERR_LINE_LIMIT,
  ]);
  assert.deepEqual(s.flush(), ["xxxxx"]);
});

Deno.test("relayScriptStderr logs each line with the script name", async () => {
  const logged: string[] = [];
  await relayScriptStderr(
    streamOf(
      "first line\nsec",
      "ond\n",
      "\n",
      // "é" split between two reads.
      Uint8Array.of(0x63, 0x61, 0x66, 0xc3),
      Uint8Array.of(0xa9, 0x20, 0x65, 0x6e, 0x64),
    ),
    "/cgi-bin/x.sh",
    (m) => logged.push(m),
  );
  assert.deepEqual(logged, [
    "CGI /cgi-bin/x.sh: first line",
    "CGI /cgi-bin/x.sh: second",
    "CGI /cgi-bin/x.sh: ",
    "CGI /cgi-bin/x.sh: café end",
  ]);
});

Deno.test("relayScriptStderr stops logging past its budget but reads to the end", async () => {
  const logged: string[] = [];
  const line = "y".repeat(1000) + "\n";
  const lines = Math.ceil(STDERR_RUN_LIMIT / 1000) + 50;
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled++ === lines) controller.close();
      else controller.enqueue(enc.encode(line));
    },
  });
  await relayScriptStderr(stream, "/s", (m) => logged.push(m));
  assert.equal(pulled, lines + 1);
  assert.equal(logged.at(-1), "CGI /s: (further stderr output dropped)");
  assert.ok(logged.length < lines);
});
