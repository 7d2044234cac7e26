/**
 * The streaming multipart parser: the same parts whatever the piece
 * boundaries (down to one byte at a time), delimiters that straddle
 * pieces, look-alikes inside data, and clear errors for broken bodies.
 */

import assert from "node:assert/strict";
import {
  contentDispositionOf,
  multipartBoundaryOf,
  MultipartError,
  MultipartParser,
} from "../lib/http/multipart.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Part {
  headers: Record<string, string>;
  body: string;
}

/** Parses `body` cut into pieces of `size` bytes; the parts and `done`. */
function parse(body: Uint8Array, boundary: string, size: number) {
  const parser = new MultipartParser(boundary);
  const parts: Part[] = [];
  let chunks: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += size) {
    for (const e of parser.feed(body.slice(at, at + size))) {
      if (e.kind === "part") {
        parts.push({ headers: Object.fromEntries(e.headers), body: "" });
        chunks = [];
      } else if (e.kind === "data") chunks.push(e.bytes.slice());
      else if (e.kind === "part-end") {
        const len = chunks.reduce((n, c) => n + c.length, 0);
        const all = new Uint8Array(len);
        let off = 0;
        for (const c of chunks) {
          all.set(c, off);
          off += c.length;
        }
        parts.at(-1)!.body = decoder.decode(all);
      }
    }
  }
  return { parts, done: parser.done, parser };
}

const BODY = "preamble to ignore\r\n" +
  "--XyZ\r\n" +
  'Content-Disposition: form-data; name="note"\r\n\r\n' +
  "hello\r\n" +
  "--XyZ\r\n" +
  'Content-Disposition: form-data; name="files"; filename="a.txt"\r\n' +
  "Content-Type: text/plain\r\n\r\n" +
  "line one\r\n--XyNot the boundary\r\n\r\nx--XyZ no\r\n" +
  "--XyZ\r\n" +
  'Content-Disposition: form-data; name="files"; filename="empty"\r\n\r\n' +
  "\r\n--XyZ--\r\nepilogue";

Deno.test("multipart parts come out the same for every piece size", () => {
  const body = encoder.encode(BODY);
  const expected = [
    {
      headers: { "content-disposition": 'form-data; name="note"' },
      body: "hello",
    },
    {
      headers: {
        "content-disposition": 'form-data; name="files"; filename="a.txt"',
        "content-type": "text/plain",
      },
      body: "line one\r\n--XyNot the boundary\r\n\r\nx--XyZ no",
    },
    {
      headers: {
        "content-disposition": 'form-data; name="files"; filename="empty"',
      },
      body: "",
    },
  ];
  for (const size of [1, 2, 3, 5, 7, 13, 64, body.length]) {
    const { parts, done, parser } = parse(body, "XyZ", size);
    assert.deepEqual(parts, expected, `piece size ${size}`);
    assert.ok(done);
    parser.finish();
  }
});

Deno.test("a body that opens with its boundary needs no preamble", () => {
  const body = encoder.encode("--b\r\n\r\nx\r\n--b--");
  const { parts, done } = parse(body, "b", 1);
  assert.deepEqual(parts, [{ headers: {}, body: "x" }]);
  assert.ok(done);
});

Deno.test("binary data with CR, LF and dashes passes through intact", () => {
  const data = new Uint8Array(70_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 256;
  data.set(encoder.encode("\r\n--bound"), 1000);
  const head = encoder.encode("--boundary\r\nContent-Type: x\r\n\r\n");
  const tail = encoder.encode("\r\n--boundary--\r\n");
  const body = new Uint8Array(head.length + data.length + tail.length);
  body.set(head);
  body.set(data, head.length);
  body.set(tail, head.length + data.length);
  for (const size of [1000, 4096, 65536]) {
    const parser = new MultipartParser("boundary");
    const got: number[] = [];
    for (let at = 0; at < body.length; at += size) {
      for (const e of parser.feed(body.slice(at, at + size))) {
        if (e.kind === "data") got.push(...e.bytes);
      }
    }
    assert.ok(parser.done);
    assert.deepEqual(new Uint8Array(got), data, `piece size ${size}`);
  }
});

Deno.test("broken multipart bodies are refused with a stable code", () => {
  const truncated = new MultipartParser("b");
  truncated.feed(encoder.encode("--b\r\n\r\nhalf a file"));
  assert.throws(
    () => truncated.finish(),
    (e) => e instanceof MultipartError && e.code === "MULTIPART_TRUNCATED",
  );
  const bigHead = new MultipartParser("b", { maxHeadBytes: 100 });
  assert.throws(
    () => bigHead.feed(encoder.encode(`--b\r\nX: ${"y".repeat(200)}`)),
    (e) =>
      e instanceof MultipartError && e.code === "PART_HEAD_TOO_LARGE" &&
      e.status === 400,
  );
  const many = new MultipartParser("b", { maxParts: 2 });
  assert.throws(
    () => many.feed(encoder.encode("--b\r\n\r\n\r\n--b\r\n\r\n\r\n--b\r\n")),
    (e) => e instanceof MultipartError && e.status === 413,
  );
  const junk = new MultipartParser("b");
  assert.throws(
    () => junk.feed(encoder.encode("--bXX\r\n")),
    (e) => e instanceof MultipartError && e.code === "MALFORMED_MULTIPART",
  );
  const noColon = new MultipartParser("b");
  assert.throws(
    () => noColon.feed(encoder.encode("--b\r\nno colon\r\n\r\n")),
    (e) => e instanceof MultipartError && e.code === "MALFORMED_MULTIPART",
  );
});

Deno.test("multipartBoundaryOf reads the boundary of form-data only", () => {
  assert.equal(
    multipartBoundaryOf("multipart/form-data; boundary=----abc123"),
    "----abc123",
  );
  assert.equal(
    multipartBoundaryOf('Multipart/Form-Data; charset=x; boundary="a b:c"'),
    "a b:c",
  );
  assert.equal(multipartBoundaryOf("multipart/form-data"), null);
  assert.equal(multipartBoundaryOf("text/plain; boundary=x"), null);
  assert.equal(multipartBoundaryOf(undefined), null);
  assert.equal(
    multipartBoundaryOf(`multipart/form-data; boundary=${"x".repeat(71)}`),
    null,
  );
});

Deno.test("contentDispositionOf finds name and filename, filename* first", () => {
  assert.deepEqual(
    contentDispositionOf('form-data; name="files"; filename="a \\"b\\".txt"'),
    { name: "files", filename: 'a "b".txt' },
  );
  assert.deepEqual(
    contentDispositionOf(
      "form-data; name=f; filename=\"x.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt",
    ),
    { name: "f", filename: "été.txt" },
  );
  assert.deepEqual(contentDispositionOf('form-data; name="note"'), {
    name: "note",
    filename: null,
  });
  assert.deepEqual(contentDispositionOf(undefined), {
    name: null,
    filename: null,
  });
});
