import assert from "node:assert/strict";
import {
  relayScriptStderr,
  STDERR_LINE_LIMIT,
  STDERR_RUN_LIMIT,
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

async function relayed(
  ...pieces: Array<string | Uint8Array>
): Promise<string[]> {
  const logged: string[] = [];
  await relayScriptStderr(streamOf(...pieces), "/s", (m) => logged.push(m));
  return logged.map((m) => m.replace(/^CGI \/s: /, ""));
}

Deno.test("relayScriptStderr joins pieces and splits on LF and CRLF", async () => {
  assert.deepEqual(await relayed("one\r\ntw", "o\nthree"), [
    "one",
    "two",
    "three",
  ]);
});

Deno.test("relayScriptStderr escapes control characters", async () => {
  assert.deepEqual(await relayed("a\x1b[31mred\rfake\tok\n"), [
    "a\\x1b[31mred\\x0dfake\tok",
  ]);
});

Deno.test("relayScriptStderr logs an overlong line in pieces", async () => {
  const lines = await relayed("x".repeat(STDERR_LINE_LIMIT * 2 + 5), "\nend");
  assert.deepEqual(lines.map((l) => l.length), [
    STDERR_LINE_LIMIT,
    STDERR_LINE_LIMIT,
    5,
    3,
  ]);
  // A cut never falls inside a character.
  const accented = await relayed(`${"a".repeat(STDERR_LINE_LIMIT - 1)}éb\n`);
  assert.deepEqual(accented, ["a".repeat(STDERR_LINE_LIMIT - 1), "éb"]);
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

Deno.test("relayScriptStderr logs what arrived before a broken pipe", async () => {
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) controller.error(new Error("broken pipe"));
      else controller.enqueue(enc.encode("whole\npart"));
      sent = true;
    },
  });
  const logged: string[] = [];
  await relayScriptStderr(stream, "/s", (m) => logged.push(m));
  assert.deepEqual(logged, ["CGI /s: whole"]);
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
