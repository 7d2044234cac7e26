import assert from "node:assert/strict";
import {
  type ByteSource,
  LineReader,
  LineTooLongError,
  stripLineEnding,
  TextLineReader,
} from "../lib/common/line_reader.ts";

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

/** A stream of `chunks`, one chunk per enqueue. */
function streamOf(chunks: Array<string | Uint8Array>) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) {
        controller.enqueue(typeof c === "string" ? encoder.encode(c) : c);
      }
      controller.close();
    },
  });
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

async function readAllText(reader: TextLineReader): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await reader.readLine();
    if (line === null) return lines;
    lines.push(line);
  }
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

Deno.test("text lines from a stream: split chunks, CRLF, a last line without LF", async () => {
  const reader = new TextLineReader(
    streamOf(["rea", 'dy\nprogress 1 0\r\nstats {"a"', ":1}\nend"]),
    100,
  );
  assert.deepEqual(await readAllText(reader), [
    "ready",
    "progress 1 0",
    'stats {"a":1}',
    "end",
  ]);
});

Deno.test("text lines decode UTF-8 split across chunks", async () => {
  const reader = new TextLineReader(
    streamOf([
      Uint8Array.of(0x63, 0x61, 0x66, 0xc3),
      Uint8Array.of(0xa9, 0x0a),
    ]),
    100,
  );
  assert.deepEqual(await readAllText(reader), ["café"]);
});

Deno.test("a failing source throws its error instead of ending the lines", async () => {
  const gone = new Error("gone");
  const reader = new LineReader({ read: () => Promise.reject(gone) }, 100);
  await assert.rejects(() => reader.readLine(), (err) => err === gone);
  await assertLineThenError(false);
});

/**
 * Reads a stream (a byte stream when `bytes`) that gives one whole line
 * and part of another, then fails: the line arrives, then the failure.
 */
async function assertLineThenError(bytes: boolean): Promise<void> {
  const gone = new Error("gone");
  let pulled = 0;
  const pull = (
    controller: {
      enqueue(chunk: Uint8Array): void;
      error(reason: unknown): void;
    },
  ) => {
    if (pulled++ === 0) controller.enqueue(encoder.encode("whole\npart"));
    else controller.error(gone);
  };
  const broken = bytes
    ? new ReadableStream({ type: "bytes", pull })
    : new ReadableStream<Uint8Array>({ pull });
  const text = new TextLineReader(broken, 100);
  assert.equal(await text.readLine(), "whole");
  await assert.rejects(() => text.readLine(), (err) => err === gone);
}

Deno.test("a line at the limit passes, one byte more fails", async () => {
  const ok = new LineReader(chunked([`${"a".repeat(10)}\r\n`]), 10);
  assert.equal(decoder.decode((await ok.readLine())!), `${"a".repeat(10)}\r\n`);
  const tooLong = new LineReader(chunked([`${"a".repeat(11)}\n`]), 10);
  await assert.rejects(() => tooLong.readLine(), LineTooLongError);
  const lastTooLong = new LineReader(chunked(["a".repeat(11)]), 10);
  await assert.rejects(() => lastTooLong.readLine(), LineTooLongError);
  const text = new TextLineReader(streamOf(["a".repeat(11), "\n"]), 10);
  await assert.rejects(
    () => text.readLine(),
    (err: unknown) =>
      err instanceof LineTooLongError &&
      err.message === "Line is longer than 10 bytes",
  );
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

Deno.test("a long line within a large limit grows the buffer only as needed", async () => {
  const long = "z".repeat(300_000);
  let largest = 0;
  const queue = [encoder.encode(`${long}\nshort\n`)];
  const source: ByteSource = {
    read(p) {
      largest = Math.max(largest, p.length);
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      const n = Math.min(p.length, next.length);
      p.set(next.subarray(0, n));
      if (n < next.length) queue.unshift(next.subarray(n));
      return Promise.resolve(n);
    },
  };
  const lines = await readAll(new LineReader(source, 64 * 1024 * 1024));
  assert.deepEqual(lines, [`${long}\n`, "short\n"]);
  assert.ok(largest < 1024 * 1024, `offered ${largest} bytes of room`);
});

Deno.test("many short lines after a long one reuse the buffer", async () => {
  const chunks = [`${"b".repeat(4000)}\n`];
  for (let i = 0; i < 500; i++) chunks.push(`line ${i}\n`);
  const lines = await readAll(new LineReader(chunked(chunks), 4000));
  assert.equal(lines.length, 501);
  assert.equal(lines[500], "line 499\n");
});

Deno.test("split mode returns an overlong line in pieces, never inside a character", async () => {
  const reader = new TextLineReader(
    chunked(["abcdefg", "hij\r\n", "xy\n", "é".repeat(4), "\n", "12345678"]),
    4,
    { overlong: "split" },
  );
  assert.deepEqual(await readAllText(reader), [
    "abcd",
    "efgh",
    "ij",
    "xy",
    "éé",
    "éé",
    "1234",
    "5678",
  ]);
  // A CR LF right after the limit is an ending, not a piece.
  const exact = new LineReader(chunked(["abcd\r", "\nz"]), 4, {
    overlong: "split",
  });
  assert.deepEqual(await readAll(exact), ["abcd\r\n", "z"]);
});

Deno.test("the limit must be a positive whole number", () => {
  assert.throws(() => new LineReader(chunked([]), 0), RangeError);
  assert.throws(() => new LineReader(chunked([]), 1.5), RangeError);
});

Deno.test("endings are stripped", () => {
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x\r\n"))), "x");
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x\n"))), "x");
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x\r"))), "x\r");
  assert.equal(decoder.decode(stripLineEnding(encoder.encode("x"))), "x");
  assert.equal(stripLineEnding(encoder.encode("\r\n")).length, 0);
});

/** A byte stream (`type: "bytes"`) of `chunks`, one per pull. */
function byteStreamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((c) => encoder.encode(c));
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const next = queue.shift();
      if (next !== undefined) return controller.enqueue(next);
      controller.close();
      // A read waiting with its own buffer ends only when given it back.
      controller.byobRequest?.respond(0);
    },
  });
}

Deno.test("a byte stream is read into the reader's own room, chunk larger or not", async () => {
  const long = "x".repeat(6000);
  const reader = new TextLineReader(
    byteStreamOf([`one\ntw`, `o\n${long}\nthree`, "\n", "last"]),
    8000,
  );
  assert.deepEqual(await readAllText(reader), [
    "one",
    "two",
    long,
    "three",
    "last",
  ]);
  await assertLineThenError(true);
});
