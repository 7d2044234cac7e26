import assert from "node:assert/strict";
import { LineTooLongError } from "../lib/sockets/errors.ts";
import {
  type ByteSource,
  isBlankLine,
  LineReader,
  stripLineEnding,
} from "../lib/sockets/line_reader.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A source that hands out `chunks` one read at a time. */
function chunked(chunks: string[]): ByteSource & { reads: number } {
  const queue = chunks.map((c) => encoder.encode(c));
  const source = {
    reads: 0,
    read(p: Uint8Array): Promise<number | null> {
      source.reads++;
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      const n = Math.min(p.length, next.length);
      p.set(next.subarray(0, n));
      if (n < next.length) queue.unshift(next.subarray(n));
      return Promise.resolve(n);
    },
  };
  return source;
}

async function readAll(reader: LineReader): Promise<string[]> {
  const lines: string[] = [];
  for (
    let line = await reader.readLine();
    line;
    line = await reader.readLine()
  ) {
    lines.push(decoder.decode(line));
  }
  return lines;
}

Deno.test("lines keep their endings, however the bytes are split", async () => {
  const reader = new LineReader(
    chunked(["on", "e\r", "\ntwo\nthr", "ee\n\n", "last"]),
    100,
  );
  assert.deepEqual(await readAll(reader), [
    "one\r\n",
    "two\n",
    "three\n",
    "\n",
    "last",
  ]);
  assert.equal(await reader.readLine(), null);
});

Deno.test("a line at the limit passes, one byte more fails", async () => {
  const ok = new LineReader(chunked([`${"a".repeat(10)}\r\n`]), 10);
  assert.equal(decoder.decode((await ok.readLine())!), `${"a".repeat(10)}\r\n`);
  const tooLong = new LineReader(chunked([`${"a".repeat(11)}\n`]), 10);
  await assert.rejects(() => tooLong.readLine(), LineTooLongError);
  const lastTooLong = new LineReader(chunked(["a".repeat(11)]), 10);
  await assert.rejects(() => lastTooLong.readLine(), LineTooLongError);
});

Deno.test("an endless line fails without reading it all", async () => {
  let offered = 0;
  const endless: ByteSource = {
    read(p) {
      p.fill(0x78);
      offered += p.length;
      return Promise.resolve(p.length);
    },
  };
  const reader = new LineReader(endless, 100);
  await assert.rejects(
    () => reader.readLine(),
    (err: unknown) =>
      err instanceof LineTooLongError && err.code === "LINE_TOO_LONG" &&
      err.limit === 100,
  );
  assert.ok(offered <= 8192, `read ${offered} bytes of an endless line`);
});

Deno.test("many short lines after a long one reuse the buffer", async () => {
  const chunks = [`${"b".repeat(4000)}\n`];
  for (let i = 0; i < 500; i++) chunks.push(`line ${i}\n`);
  const lines = await readAll(new LineReader(chunked(chunks), 4000));
  assert.equal(lines.length, 501);
  assert.equal(lines[500], "line 499\n");
});

Deno.test("endings are stripped and blank lines recognised", () => {
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x\r\n"))), "x");
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x\n"))), "x");
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x\r"))), "x\r");
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x"))), "x");
  assert.ok(isBlankLine(encoder.encode("\r\n")));
  assert.ok(isBlankLine(encoder.encode("")));
  assert.ok(!isBlankLine(encoder.encode(" \n")));
});
