import assert from "node:assert/strict";
import {
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
import { HttpError, ProtocolError } from "../lib/http/errors.ts";
import {
  readRequestBody,
  requestBodyFraming,
} from "../lib/server/core/request_body.ts";

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

async function chunked(data: string, max?: number): Promise<string> {
  const parts: string[] = [];
  const r = reader(data);
  const n = await readChunkedBody(r, (c) => {
    parts.push(decoder.decode(c));
  }, max);
  const text = parts.join("");
  assert.equal(n, encoder.encode(text).length);
  return text;
}

function protocolError(code: string) {
  return (err: unknown) => err instanceof ProtocolError && err.code === code;
}

/** Collects what is written, like a socket would. */
class Recorder {
  bytes = "";
  write(p: Uint8Array): Promise<number> {
    this.bytes += decoder.decode(p);
    return Promise.resolve(p.length);
  }
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

Deno.test("requestBodyFraming picks the framing and refuses ambiguity", () => {
  const h = (o: Record<string, string>) => new Map(Object.entries(o));
  const v11 = "HTTP/1.1" as const;
  assert.deepEqual(requestBodyFraming(h({}), v11, 100), { kind: "none" });
  assert.deepEqual(requestBodyFraming(h({ "content-length": "0" }), v11, 100), {
    kind: "none",
  });
  assert.deepEqual(requestBodyFraming(h({ "content-length": "5" }), v11, 100), {
    kind: "length",
    length: 5,
  });
  assert.deepEqual(
    requestBodyFraming(h({ "transfer-encoding": "Chunked" }), v11, 100),
    { kind: "chunked" },
  );
  const status = (
    headers: Record<string, string>,
    version: "HTTP/1.0" | "HTTP/1.1" = v11,
  ) => {
    try {
      requestBodyFraming(h(headers), version, 100);
      return 0;
    } catch (err) {
      assert.ok(err instanceof HttpError);
      return err.status;
    }
  };
  assert.equal(
    status({ "content-length": "5", "transfer-encoding": "chunked" }),
    400,
  );
  assert.equal(status({ "content-length": "abc" }), 400);
  assert.equal(status({ "content-length": "5, 6" }), 400);
  assert.equal(status({ "content-length": "101" }), 413);
  assert.equal(status({ "transfer-encoding": "gzip, chunked" }), 501);
  assert.equal(status({ "transfer-encoding": "chunked" }, "HTTP/1.0"), 400);
});

Deno.test("readRequestBody answers 100-continue only when the body is not here yet", async () => {
  const headers = new Map([["expect", "100-continue"], [
    "content-length",
    "5",
  ]]);
  const framing = { kind: "length", length: 5 } as const;
  const sink = new Recorder();
  const r = reader("hello");
  const body = await readRequestBody(
    r,
    sink,
    headers,
    framing,
    "HTTP/1.1",
    100,
  );
  assert.equal(decoder.decode(body), "hello");
  assert.equal(sink.bytes, "HTTP/1.1 100 Continue\r\n\r\n");

  // Already buffered: the client did not wait, so no interim answer.
  const sink2 = new Recorder();
  const pre = new BufferedReader(source("H\r\n\r\nhello", 100));
  await pre.readHead(100);
  await readRequestBody(pre, sink2, headers, framing, "HTTP/1.1", 100);
  assert.equal(sink2.bytes, "");

  // HTTP/1.0 clients do not know 100 Continue.
  const sink3 = new Recorder();
  await readRequestBody(
    reader("hello"),
    sink3,
    headers,
    framing,
    "HTTP/1.0",
    100,
  );
  assert.equal(sink3.bytes, "");
});

Deno.test("readRequestBody refuses unknown expectations and bad chunks", async () => {
  const status = async (
    headers: Map<string, string>,
    data: string,
    framing: Parameters<typeof readRequestBody>[3],
  ) => {
    try {
      await readRequestBody(
        reader(data),
        new Recorder(),
        headers,
        framing,
        "HTTP/1.1",
        10,
      );
      return 0;
    } catch (err) {
      return err instanceof HttpError ? err.status : -1;
    }
  };
  assert.equal(
    await status(new Map([["expect", "202-accepted"]]), "", { kind: "none" }),
    417,
  );
  const te = new Map([["transfer-encoding", "chunked"]]);
  assert.equal(await status(te, "zz\r\n", { kind: "chunked" }), 400);
  assert.equal(await status(te, "3\r\nabcdef\r\n", { kind: "chunked" }), 400);
  assert.equal(await status(te, "F\r\n", { kind: "chunked" }), 413);
  assert.equal(await status(te, "3\r\nabc", { kind: "chunked" }), -1);
  const chunkedBody = await readRequestBody(
    reader("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
    new Recorder(),
    te,
    { kind: "chunked" },
    "HTTP/1.1",
    10,
  );
  assert.equal(decoder.decode(chunkedBody), "abcde");
});
