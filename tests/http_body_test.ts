import assert from "node:assert/strict";
import {
  BodyReader,
  BodyTooLargeError,
  encodeChunk,
  LAST_CHUNK,
  parseChunkSize,
  parseContentLength,
  readChunkedBody,
  readFixedBody,
  readToEnd,
} from "../lib/http/body.ts";
import {
  BufferedReader,
  type ByteSource,
} from "../lib/http/buffered_reader.ts";
import { ProtocolError } from "../lib/http/errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function source(data: string, piece = 3): ByteSource {
  const bytes = encoder.encode(data);
  let off = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (off >= bytes.length) return Promise.resolve(null);
      const n = Math.min(piece, p.length, bytes.length - off);
      p.set(bytes.subarray(off, off + n));
      off += n;
      return Promise.resolve(n);
    },
  };
}

function reader(data: string, piece = 3): BufferedReader {
  return new BufferedReader(source(data, piece), 16);
}

async function pushed(data: string, max?: number): Promise<string> {
  const parts: string[] = [];
  const r = reader(data);
  const n = await readChunkedBody(r, (c) => {
    parts.push(decoder.decode(c));
  }, max);
  const text = parts.join("");
  assert.equal(n, encoder.encode(text).length);
  return text;
}

async function pulled(data: string, max?: number): Promise<string> {
  const body = new BodyReader(reader(data), { kind: "chunked" }, max);
  let text = "";
  for (;;) {
    const piece = await body.read(4);
    if (piece === null) break;
    assert.ok(piece.length <= 4);
    text += decoder.decode(piece);
  }
  assert.ok(body.done);
  assert.equal(body.received, encoder.encode(text).length);
  assert.equal(await body.read(), null, "nothing after the end");
  return text;
}

async function outcome(run: () => Promise<string>): Promise<string | Error> {
  try {
    return await run();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Decodes a chunked body with both decoders, readChunkedBody (pushes) and
 * BodyReader (pulled): they must agree on the data or on the error.
 */
async function chunked(data: string, max?: number): Promise<string> {
  const a = await outcome(() => pushed(data, max));
  const b = await outcome(() => pulled(data, max));
  if (a instanceof Error) {
    assert.ok(
      b instanceof Error,
      `BodyReader accepted ${JSON.stringify(data)}`,
    );
    assert.equal(b.name, a.name);
    assert.equal(
      (b as ProtocolError).code,
      (a as ProtocolError).code,
      JSON.stringify(data),
    );
    throw a;
  }
  assert.equal(b, a);
  return a;
}

function protocolError(code: string) {
  return (err: unknown) => err instanceof ProtocolError && err.code === code;
}

Deno.test("encodeChunk frames data and refuses an empty chunk", () => {
  assert.equal(
    decoder.decode(encodeChunk(encoder.encode("hello"))),
    "5\r\nhello\r\n",
  );
  assert.equal(
    decoder.decode(encodeChunk(new Uint8Array(26))).slice(0, 4),
    "1a\r\n",
  );
  assert.throws(() => encodeChunk(new Uint8Array(0)), RangeError);
  assert.equal(decoder.decode(LAST_CHUNK), "0\r\n\r\n");
});

Deno.test("readFixedBody reads exactly the length and leaves the rest", async () => {
  const r = reader("hello worldGET");
  let got = "";
  await readFixedBody(r, 11, (c) => {
    got += decoder.decode(c);
  }, new Uint8Array(4));
  assert.equal(got, "hello world");
  const rest = new Uint8Array(3);
  await r.readFull(rest);
  assert.equal(decoder.decode(rest), "GET");
  await assert.rejects(
    () => readFixedBody(reader("abc"), 5, () => {}),
    protocolError("UNEXPECTED_EOF"),
  );
});

Deno.test("readChunkedBody: data, extensions, trailers, the bytes after it", async () => {
  assert.equal(
    await chunked("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"),
    "hello world",
  );
  assert.equal(
    await chunked("A \r\n0123456789\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n"),
    "0123456789",
  );
  assert.equal(await chunked("3\nabc\n0\n\n"), "abc");
  assert.equal(await chunked("0\r\n\r\n"), "");
  const r = reader("2\r\nhi\r\n0\r\n\r\nNEXT");
  await readChunkedBody(r, () => {});
  const rest = new Uint8Array(4);
  await r.readFull(rest);
  assert.equal(decoder.decode(rest), "NEXT");
});

Deno.test("readChunkedBody refuses broken framing", async () => {
  await assert.rejects(() => chunked("x\r\n"), protocolError("BAD_CHUNK"));
  await assert.rejects(() => chunked("-1\r\n"), protocolError("BAD_CHUNK"));
  await assert.rejects(() => chunked("\r\n"), protocolError("BAD_CHUNK"));
  await assert.rejects(
    () => chunked("5\r\nhelloXX\r\n0\r\n\r\n"),
    protocolError("BAD_CHUNK"),
  );
  await assert.rejects(
    () => chunked("1234567890abc\r\n"),
    protocolError("BAD_CHUNK"),
  );
  await assert.rejects(
    () => chunked("5\r\nhel"),
    protocolError("UNEXPECTED_EOF"),
  );
  await assert.rejects(
    () => chunked("5\r\nhello\r\n"),
    protocolError("UNEXPECTED_EOF"),
  );
  await assert.rejects(
    () => chunked("0\r\nX: 1\r\n"),
    protocolError("UNEXPECTED_EOF"),
  );
  const manyTrailers = "0\r\n" + "X: 1\r\n".repeat(150) + "\r\n";
  await assert.rejects(() => chunked(manyTrailers), protocolError("BAD_CHUNK"));
});

Deno.test("readChunkedBody stops at the size limit before reading the data", async () => {
  await assert.rejects(
    () => chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 10),
    BodyTooLargeError,
  );
  assert.equal(
    await chunked("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 10),
    "helloworld",
  );
  // A huge announced chunk is refused without waiting for its bytes.
  await assert.rejects(() => chunked("ffffffffff\r\n", 10), BodyTooLargeError);
});

Deno.test("parseChunkSize", () => {
  assert.equal(parseChunkSize("1f"), 31);
  assert.equal(parseChunkSize("0"), 0);
  assert.equal(parseChunkSize("A;name=value"), 10);
  assert.throws(() => parseChunkSize(""), ProtocolError);
  assert.throws(() => parseChunkSize("0x10"), ProtocolError);
  assert.throws(() => parseChunkSize(" 1"), ProtocolError);
});

Deno.test("readToEnd reads until the stream closes", async () => {
  let got = "";
  const n = await readToEnd(reader("all of it", 2), (c) => {
    got += decoder.decode(c);
  });
  assert.equal(got, "all of it");
  assert.equal(n, 9);
});

Deno.test("parseContentLength", () => {
  assert.equal(parseContentLength("0"), 0);
  assert.equal(parseContentLength("42"), 42);
  assert.equal(parseContentLength("7, 7"), 7);
  for (
    const bad of ["", "-1", "+1", "1.5", "0x10", "5, 6", "1 2", "1e3", "5,"]
  ) {
    assert.equal(parseContentLength(bad), null, bad);
  }
  assert.equal(parseContentLength("9".repeat(16)), null);
});

Deno.test("BodyReader reads a length-framed body in pieces and never past it", async () => {
  const r = reader("hello worldGET /", 5);
  const body = new BodyReader(r, { kind: "length", length: 11 });
  const pieces: string[] = [];
  for (;;) {
    const piece = await body.read(4);
    if (piece === null) break;
    pieces.push(decoder.decode(piece));
  }
  assert.equal(pieces.join(""), "hello world");
  assert.ok(pieces.every((p) => p.length <= 4));
  assert.equal(body.received, 11);
  assert.ok(body.done);
  const rest = new Uint8Array(5);
  await r.readFull(rest);
  assert.equal(decoder.decode(rest), "GET /");

  const empty = new BodyReader(reader(""), { kind: "length", length: 0 });
  assert.ok(empty.done);
  assert.equal(await empty.read(), null);

  const cut = new BodyReader(reader("abc"), { kind: "length", length: 5 });
  assert.equal(decoder.decode((await cut.read())!), "abc");
  await assert.rejects(() => cut.read(), protocolError("UNEXPECTED_EOF"));
  assert.equal(cut.done, false);
});

Deno.test("BodyReader hands out views of the reader's buffer, not copies", async () => {
  const r = reader("3\r\nabc\r\n0\r\n\r\n", 100);
  const body = new BodyReader(r, { kind: "chunked" });
  const first = await body.read();
  assert.equal(decoder.decode(first!), "abc");
  assert.equal(first!.byteLength < first!.buffer.byteLength, true);
  assert.equal(await body.read(), null);
});
