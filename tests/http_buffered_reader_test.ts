import assert from "node:assert/strict";
import {
  BufferedReader,
  type ByteSource,
  findHeadEnd,
  HeadTooLargeError,
} from "../lib/http/buffered_reader.ts";
import { ProtocolError } from "../lib/http/errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A source that hands out `data` in pieces of the given sizes (cycled). */
function pieces(data: string | Uint8Array, sizes: number[]): ByteSource {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  let off = 0;
  let i = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (off >= bytes.length) return Promise.resolve(null);
      const size = sizes[i++ % sizes.length]!;
      const n = Math.min(size, p.length, bytes.length - off);
      p.set(bytes.subarray(off, off + n));
      off += n;
      return Promise.resolve(n);
    },
  };
}

function text(b: Uint8Array | null): string | null {
  return b === null ? null : decoder.decode(b);
}

Deno.test("findHeadEnd finds CRLF CRLF, LF LF and mixed endings", () => {
  const find = (s: string, from = 0) =>
    findHeadEnd(encoder.encode(s), from, s.length);
  assert.equal(find("GET / HTTP/1.1\r\nA: b\r\n\r\nrest"), 24);
  assert.equal(find("GET / HTTP/1.1\nA: b\n\nrest"), 21);
  assert.equal(find("GET / HTTP/1.1\r\nA: b\n\r\n"), 23);
  assert.equal(find("GET / HTTP/1.1\r\nA: b\r\n"), -1);
  assert.equal(find("GET / HTTP/1.1\r\nA: b\r\n\r"), -1);
  // The blank line must lie inside [from, to).
  const bytes = encoder.encode("A\r\n\r\nB");
  assert.equal(findHeadEnd(bytes, 0, 4), -1);
});

Deno.test("readHead returns the head and keeps the rest for the next read", async () => {
  const r = new BufferedReader(
    pieces("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY", [1000]),
  );
  assert.equal(
    text(await r.readHead(1024)),
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
  );
  assert.equal(r.buffered, 4);
  const body = new Uint8Array(4);
  await r.readFull(body);
  assert.equal(decoder.decode(body), "BODY");
  assert.equal(await r.readHead(1024), null);
});

Deno.test("readHead finds a blank line split across any read boundary", async () => {
  const head = "GET /x HTTP/1.1\r\nHost: a\r\nX-Long: " + "v".repeat(300) +
    "\r\n\r\n";
  for (const size of [1, 2, 3, 4, 5, 7, 64]) {
    const r = new BufferedReader(pieces(head + head, [size]), 16);
    assert.equal(text(await r.readHead(4096)), head, `piece size ${size}`);
    assert.equal(text(await r.readHead(4096)), head, `second, size ${size}`);
    assert.equal(await r.readHead(4096), null);
  }
});

Deno.test("readHead skips empty lines before a request", async () => {
  const r = new BufferedReader(
    pieces("\r\n\r\n\nGET / HTTP/1.0\n\n", [2]),
  );
  assert.equal(text(await r.readHead(1024)), "GET / HTTP/1.0\n\n");
});

Deno.test("readHead after compaction scans the moved bytes, not stale ones", async () => {
  // A tiny buffer forces compaction and growth between pipelined heads.
  const heads = Array.from(
    { length: 20 },
    (_, i) => `GET /${"p".repeat(i * 7)} HTTP/1.1\r\nHost: h${i}\r\n\r\n`,
  );
  for (const sizes of [[3], [5, 11, 1], [50]]) {
    const r = new BufferedReader(pieces(heads.join(""), sizes), 32);
    for (const h of heads) assert.equal(text(await r.readHead(4096)), h);
    assert.equal(await r.readHead(4096), null);
  }
});

Deno.test("takeWholeIf consumes all that is buffered when the test accepts it, else nothing", async () => {
  const head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const r = new BufferedReader(pieces(head + head + "GET", [head.length]));
  const seen: string[] = [];
  const isHead = (
    want: string,
    buf: Uint8Array,
    start: number,
    end: number,
  ) => {
    seen.push(decoder.decode(buf.subarray(start, end)));
    return seen.at(-1) === want;
  };
  // Nothing buffered: the test is not even asked.
  assert.equal(r.takeWholeIf(isHead, head), false);
  assert.deepEqual(seen, []);
  assert.equal(await r.fill(), true);
  assert.equal(r.takeWholeIf(isHead, "GET / HTTP/1.0\r\n\r\n"), false);
  assert.equal(r.buffered, head.length);
  assert.equal(r.takeWholeIf(isHead, head), true);
  assert.equal(r.buffered, 0);
  // The next head is taken the usual way; then a part of one is buffered.
  assert.equal(await r.fill(), true);
  assert.equal(text(r.takeHead(1024)), head);
  assert.equal(await r.fill(), true);
  assert.equal(r.takeWholeIf(isHead, head), false);
  assert.equal(decoder.decode(r.peek()), "GET");
  assert.deepEqual(seen, [head, head, "GET"]);
});

Deno.test("readHead raises HeadTooLargeError with the partial bytes", async () => {
  const r = new BufferedReader(
    pieces("GET / HTTP/1.1\r\nX: " + "a".repeat(5000) + "\r\n\r\n", [700]),
  );
  await assert.rejects(() => r.readHead(2048), (err: unknown) => {
    assert.ok(err instanceof HeadTooLargeError);
    assert.equal(err.code, "HEAD_TOO_LARGE");
    assert.ok(err.partial.length >= 2048);
    assert.ok(text(err.partial)!.startsWith("GET / HTTP/1.1\r\n"));
    return true;
  });
});

Deno.test("readHead accepts a head of exactly the limit", async () => {
  const head = "GET / HTTP/1.1\r\nX: abc\r\n\r\n";
  const r = new BufferedReader(pieces(head + "more", [4]));
  assert.equal(text(await r.readHead(head.length)), head);
  const r2 = new BufferedReader(pieces(head, [4]));
  await assert.rejects(() => r2.readHead(head.length - 1), HeadTooLargeError);
});

Deno.test("readHead reports a head cut off by the end of the stream", async () => {
  const r = new BufferedReader(pieces("GET / HTTP/1.1\r\nHost", [4]));
  await assert.rejects(
    () => r.readHead(1024),
    (err: unknown) =>
      err instanceof ProtocolError && err.code === "INCOMPLETE_HEAD",
  );
  const empty = new BufferedReader(pieces("\r\n\r\n", [1]));
  assert.equal(await empty.readHead(1024), null);
});

Deno.test("readLine strips CRLF or LF and limits the length", async () => {
  const r = new BufferedReader(pieces("one\r\ntwo\nthree", [2]));
  assert.equal(text(await r.readLine(10)), "one");
  assert.equal(text(await r.readLine(10)), "two");
  await assert.rejects(
    () => r.readLine(10),
    (err: unknown) =>
      err instanceof ProtocolError && err.code === "INCOMPLETE_LINE",
  );
  const long = new BufferedReader(pieces("x".repeat(100) + "\n", [7]));
  await assert.rejects(
    () => long.readLine(20),
    (err: unknown) =>
      err instanceof ProtocolError && err.code === "LINE_TOO_LONG",
  );
  const done = new BufferedReader(pieces("", [1]));
  assert.equal(await done.readLine(10), null);
});

Deno.test("read serves buffered bytes first, then large reads go straight through", async () => {
  const data = new Uint8Array(100_000).map((_, i) => i % 251);
  const head = encoder.encode("POST / HTTP/1.1\r\n\r\n");
  const all = new Uint8Array(head.length + data.length);
  all.set(head);
  all.set(data, head.length);
  const r = new BufferedReader(pieces(all, [1000, 30_000]), 64);
  await r.readHead(1024);
  const got = new Uint8Array(data.length);
  await r.readFull(got);
  assert.deepEqual(got, data);
  assert.equal(await r.read(new Uint8Array(10)), null);
});

Deno.test("readFull reports a stream that ends early", async () => {
  const r = new BufferedReader(pieces("abc", [1]));
  await assert.rejects(
    () => r.readFull(new Uint8Array(5)),
    (err: unknown) =>
      err instanceof ProtocolError && err.code === "UNEXPECTED_EOF",
  );
});

Deno.test("takeBuffered copies without reading the source", async () => {
  const r = new BufferedReader(pieces("H\r\n\r\nabcdef", [100]));
  await r.readHead(100);
  const taken = r.takeBuffered(4);
  assert.equal(decoder.decode(taken), "abcd");
  assert.equal(r.buffered, 2);
  assert.equal(decoder.decode(r.takeBuffered(100)), "ef");
  assert.equal(r.takeBuffered(100).length, 0);
});

Deno.test("readView hands out buffered bytes as views, reading only when empty", async () => {
  let reads = 0;
  const src = pieces("H\r\n\r\nabcdefgh", [100, 3]);
  const r = new BufferedReader({
    read(p) {
      reads++;
      return src.read(p);
    },
  }, 64);
  await r.readHead(100);
  assert.equal(reads, 1);
  const view = await r.readView(5);
  assert.equal(text(view), "abcde");
  assert.ok(view!.buffer.byteLength >= 64, "a view of the reader's buffer");
  assert.equal(text(await r.readView(100)), "fgh");
  assert.equal(reads, 1, "served from the buffer");
  assert.equal(await r.readView(100), null);
  assert.equal(reads, 2);
});

Deno.test("bytesRead counts every byte taken from the source, buffered or not", async () => {
  const data = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" +
    "x".repeat(40_000);
  const reader = new BufferedReader(pieces(data, [10, 30, 3, 40_000]), 64);
  assert.equal(reader.bytesRead, 0);
  const head = await reader.readHead(1024);
  assert.ok(head !== null);
  assert.equal(reader.bytesRead - reader.buffered, head.length);
  // A read larger than the buffer bypasses it and is still counted.
  const big = new Uint8Array(50_000);
  let total = 0;
  for (;;) {
    const n = await reader.read(big);
    if (n === null) break;
    total += n;
  }
  assert.equal(total, 5 + 40_000);
  assert.equal(reader.bytesRead, encoder.encode(data).length);
});

Deno.test("skip drops only buffered bytes, synchronously, and reading resumes after them", async () => {
  const reader = new BufferedReader(
    pieces("HTTP/1.1 200 OK\r\n\r\nabcdefNEXT", [64]),
    64,
  );
  await reader.readHead(1024);
  assert.equal(reader.buffered, 10);
  assert.equal(reader.skip(6), 6);
  assert.equal(reader.skip(0), 0);
  const rest = new Uint8Array(16);
  const n = await reader.read(rest);
  assert.equal(decoder.decode(rest.subarray(0, n!)), "NEXT");
  // Nothing buffered: skip takes nothing and never reads the source.
  assert.equal(reader.skip(100), 0);
  assert.equal(await reader.read(rest), null);
});

Deno.test("a reader waiting for a head reads into its small idle buffer, and bodies into the full one", async () => {
  const head1 = `GET /a HTTP/1.1\r\nX-Long: ${"v".repeat(300)}\r\n\r\n`;
  const body = "b".repeat(600);
  const data = `${head1}${body}GET /b HTTP/1.1\r\n\r\n`;
  const inner = pieces(data, [200]);
  const sizes: number[] = [];
  const src: ByteSource = {
    read(p) {
      sizes.push(p.length);
      return inner.read(p);
    },
  };
  const reader = new BufferedReader(src, 1024, null, 64);
  assert.equal(text(await reader.readHead(4096)), head1);
  // The head needed more than 64 bytes: the buffer grew past them.
  assert.equal(sizes[0], 64);
  assert.ok(sizes.slice(1).some((s) => s > 64));
  sizes.length = 0;
  let got = "";
  while (got.length < body.length) {
    const view = await reader.readView(body.length - got.length);
    assert.notEqual(view, null);
    got += text(view);
  }
  assert.equal(got, body);
  // A body read with nothing buffered uses the full-size buffer.
  assert.ok(sizes.every((s) => s >= 1024 - 200), `reads of ${sizes}`);
  assert.equal(text(await reader.readHead(4096)), "GET /b HTTP/1.1\r\n\r\n");
  // Waiting for the next head with nothing buffered: the idle buffer again.
  sizes.length = 0;
  assert.equal(await reader.readHead(4096), null);
  assert.deepEqual(sizes, [64]);
});

Deno.test("without an idle size every read uses the one buffer", async () => {
  const sizes: number[] = [];
  const inner = pieces("GET / HTTP/1.1\r\n\r\n", [5]);
  const reader = new BufferedReader({
    read(p) {
      sizes.push(p.length);
      return inner.read(p);
    },
  }, 256);
  assert.equal(text(await reader.readHead(4096)), "GET / HTTP/1.1\r\n\r\n");
  assert.equal(sizes[0], 256);
});
