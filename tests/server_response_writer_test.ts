import assert from "node:assert/strict";
import { currentHttpDate, formatHttpDate } from "../lib/http/date.ts";
import {
  joinHeadAndBody,
  serializeResponseHead,
} from "../lib/http/response_head.ts";
import { statusText } from "../lib/http/status.ts";
import {
  ConnResponseWriter,
  type ResponseContext,
  SERVER_SOFTWARE,
  statusHasNoBody,
} from "../lib/server/core/response_writer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A sink that records bytes, writes at most `max` per call, or fails. */
class Sink {
  chunks: Uint8Array[] = [];
  writes = 0;
  constructor(private max = Infinity, private failAfter = Infinity) {}
  write(p: Uint8Array): Promise<number> {
    if (this.writes++ >= this.failAfter) {
      return Promise.reject(new Deno.errors.BrokenPipe("Broken pipe"));
    }
    const n = Math.min(p.length, this.max);
    this.chunks.push(p.slice(0, n));
    return Promise.resolve(n);
  }
  get text(): string {
    return this.chunks.map((c) => decoder.decode(c)).join("");
  }
}

function writer(ctx: Partial<ResponseContext> = {}, sink = new Sink()) {
  const full: ResponseContext = {
    method: "GET",
    version: "HTTP/1.1",
    keepAlive: true,
    ...ctx,
  };
  return { sink, res: new ConnResponseWriter(sink, full) };
}

function split(text: string): { head: string[]; body: string } {
  const i = text.indexOf("\r\n\r\n");
  assert.ok(i >= 0, `no head end in ${JSON.stringify(text)}`);
  return { head: text.slice(0, i).split("\r\n"), body: text.slice(i + 4) };
}

Deno.test("send writes one buffer with Server, Date, length and Connection", async () => {
  const { sink, res } = writer();
  await res.send(200, [["Content-Type", "text/plain"]], "hello");
  assert.equal(sink.writes, 1);
  const { head, body } = split(sink.text);
  assert.equal(head[0], "HTTP/1.1 200 OK");
  assert.ok(head.includes(`Server: ${SERVER_SOFTWARE}`));
  assert.ok(head.some((l) => /^Date: \w{3}, \d\d \w{3} \d{4} /.test(l)));
  assert.ok(head.includes("Content-Type: text/plain"));
  assert.ok(head.includes("Content-Length: 5"));
  assert.ok(head.includes("Connection: keep-alive"));
  assert.equal(body, "hello");
  assert.equal(res.status, 200);
  assert.equal(res.bodyBytes, 5);
  assert.equal(res.headSent, true);
  await assert.rejects(() => res.send(200, []), /already sent/);
});

Deno.test("HEAD gets the GET head without a body", async () => {
  const { sink, res } = writer({ method: "HEAD" });
  await res.send(200, [], encoder.encode("hello"));
  const { head, body } = split(sink.text);
  assert.ok(head.includes("Content-Length: 5"));
  assert.equal(body, "");
  assert.equal(res.bodyBytes, 0);
});

Deno.test("204 and 304 carry no body and no Content-Length", async () => {
  for (const status of [204, 304]) {
    const { sink, res } = writer();
    await res.send(status, [["Allow", "GET"]], "ignored");
    const { head, body } = split(sink.text);
    assert.equal(head[0], `HTTP/1.1 ${status} ${statusText(status)}`);
    assert.ok(!head.some((l) => l.startsWith("Content-Length")));
    assert.equal(body, "");
  }
  assert.equal(statusHasNoBody(100), true);
  assert.equal(statusHasNoBody(200), false);
});

Deno.test("closeConnection before the head sends Connection: close", async () => {
  const { sink, res } = writer();
  res.closeConnection();
  await res.send(404, [], "x");
  assert.ok(split(sink.text).head.includes("Connection: close"));
  assert.equal(res.keepAlive, false);
  const late = writer();
  await late.res.send(200, []);
  late.res.closeConnection();
  assert.equal(late.res.keepAlive, true, "too late to change the sent head");
});

Deno.test("start with a length streams the bytes as they are", async () => {
  const { sink, res } = writer();
  await res.start(200, [], 6);
  await res.write(encoder.encode("abc"));
  await res.write(new Uint8Array(0));
  await res.write(encoder.encode("def"));
  await res.end();
  const { head, body } = split(sink.text);
  assert.ok(head.includes("Content-Length: 6"));
  assert.equal(body, "abcdef");
  assert.equal(res.bodyBytes, 6);
});

Deno.test("start without a length is chunked on HTTP/1.1", async () => {
  const { sink, res } = writer();
  await res.start(200, [], null);
  await res.write(encoder.encode("abc"));
  await res.write(encoder.encode("0123456789abcdef"));
  await res.end();
  const { head, body } = split(sink.text);
  assert.ok(head.includes("Transfer-Encoding: chunked"));
  assert.equal(body, "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  assert.equal(res.keepAlive, true);
});

Deno.test("start without a length on HTTP/1.0 ends with the connection", async () => {
  const { sink, res } = writer({ version: "HTTP/1.0" });
  await res.start(200, [], null);
  await res.write(encoder.encode("abc"));
  await res.end();
  const { head, body } = split(sink.text);
  assert.ok(head.includes("Connection: close"));
  assert.ok(!head.some((l) => /^(Content-Length|Transfer-Encoding)/.test(l)));
  assert.equal(body, "abc");
  assert.equal(res.keepAlive, false);
});

Deno.test("a streamed HEAD response writes no body bytes or last chunk", async () => {
  const { sink, res } = writer({ method: "HEAD" });
  await res.start(200, [], null);
  await res.write(encoder.encode("abc"));
  await res.end();
  assert.equal(split(sink.text).body, "");
  assert.equal(res.bodyBytes, 0);
});

Deno.test("write before start is an error", async () => {
  const { res } = writer();
  await assert.rejects(() => res.write(encoder.encode("x")), /not started/);
});

Deno.test("a failed write marks the connection as not reusable", async () => {
  const { res } = writer({}, new Sink(Infinity, 1));
  await res.start(200, [], 10);
  await assert.rejects(
    () => res.write(encoder.encode("abc")),
    Deno.errors.BrokenPipe,
  );
  assert.equal(res.keepAlive, false);
  // A handler that swallows the error and writes again gets the error again.
  await assert.rejects(
    () => res.write(encoder.encode("abc")),
    Deno.errors.BrokenPipe,
  );
});

Deno.test("partial socket writes are completed, each reported as progress", async () => {
  const sink = new Sink(7);
  let progress = 0;
  const res = new ConnResponseWriter(
    sink,
    { method: "GET", version: "HTTP/1.1", keepAlive: true },
    () => progress++,
  );
  const body = "x".repeat(100);
  await res.send(200, [], body);
  assert.equal(split(sink.text).body, body);
  assert.ok(sink.writes > 10);
  // Each part the socket took restarts the send timeout of a slow reader.
  assert.equal(progress, sink.writes);
});

Deno.test("serializeResponseHead refuses response splitting", () => {
  assert.throws(
    () => serializeResponseHead(200, [["X", "a\r\nSet-Cookie: x"]]),
    TypeError,
  );
  assert.throws(() => serializeResponseHead(200, [["X\r\nY", "a"]]), TypeError);
  assert.throws(
    () => serializeResponseHead(200, [["Bad Name", "a"]]),
    TypeError,
  );
  assert.equal(
    serializeResponseHead(299, [["A", "b"]]),
    "HTTP/1.1 299 Success\r\nA: b\r\n\r\n",
  );
});

Deno.test("joinHeadAndBody keeps a non-ASCII head intact", () => {
  const head = serializeResponseHead(200, [["X-Name", "café ☕"]]);
  const joined = joinHeadAndBody(head, encoder.encode("BODY"));
  assert.equal(decoder.decode(joined), head + "BODY");
  const ascii = serializeResponseHead(200, [["X", "y"]]);
  assert.equal(
    decoder.decode(joinHeadAndBody(ascii, encoder.encode("B"))),
    ascii + "B",
  );
  assert.equal(decoder.decode(joinHeadAndBody(ascii, undefined)), ascii);
});

Deno.test("status texts and HTTP dates", () => {
  assert.equal(statusText(404), "Not Found");
  assert.equal(statusText(431), "Request Header Fields Too Large");
  assert.equal(statusText(599), "Server Error");
  assert.equal(statusText(499), "Client Error");
  assert.equal(formatHttpDate(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(
    formatHttpDate(1e20),
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "absurd mtimes are clamped",
  );
  assert.equal(formatHttpDate(-1e20), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.equal(formatHttpDate(NaN), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.match(
    currentHttpDate(),
    /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/,
  );
});
