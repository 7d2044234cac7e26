import assert from "node:assert/strict";
import {
  PreparedResponse,
  responseHeaderList,
  SERVER_SOFTWARE,
} from "../lib/server/core/prepared_response.ts";
import {
  ConnResponseWriter,
  preparedBytes,
} from "../lib/server/core/response_writer.ts";

const decoder = new TextDecoder();
const DATE_A = "Sat, 21 Nov 2026 18:00:00 GMT";
const DATE_B = "Sat, 21 Nov 2026 18:00:01 GMT";

function sink() {
  const writes: Uint8Array[] = [];
  return {
    writes,
    write(p: Uint8Array): Promise<number> {
      writes.push(p.slice());
      return Promise.resolve(p.length);
    },
    text: () => writes.map((w) => decoder.decode(w)).join(""),
  };
}

Deno.test("responseHeaderList puts Server, Date, headers, framing, Connection in order", () => {
  assert.deepEqual(
    responseHeaderList(
      DATE_A,
      [["ETag", '"x"']],
      ["Content-Length", "3"],
      true,
    ),
    [
      ["Server", SERVER_SOFTWARE],
      ["Date", DATE_A],
      ["ETag", '"x"'],
      ["Content-Length", "3"],
      ["Connection", "keep-alive"],
    ],
  );
});

Deno.test("PreparedResponse reuses its bytes within a second and rebuilds for a new Date", () => {
  const body = new TextEncoder().encode("hello");
  const prepared = new PreparedResponse(
    200,
    [["Content-Type", "text/plain"]],
    body,
  );
  const a = prepared.encoded(DATE_A, true);
  assert.equal(prepared.encoded(DATE_A, true), a);
  const text = decoder.decode(a.bytes);
  assert.ok(text.startsWith("HTTP/1.1 200 OK\r\n"));
  assert.ok(text.includes(`\r\nDate: ${DATE_A}\r\n`));
  assert.ok(text.includes("\r\nContent-Length: 5\r\n"));
  assert.ok(text.endsWith("\r\nConnection: keep-alive\r\n\r\nhello"));
  assert.equal(decoder.decode(a.bytes.subarray(a.headLength)), "hello");
  const b = prepared.encoded(DATE_B, true);
  assert.notEqual(b, a);
  assert.ok(decoder.decode(b.bytes).includes(`\r\nDate: ${DATE_B}\r\n`));
  const closing = prepared.encoded(DATE_B, false);
  assert.ok(
    decoder.decode(closing.bytes).includes("\r\nConnection: close\r\n"),
  );
});

Deno.test("PreparedResponse gives a 304 no Content-Length and refuses bad headers at once", () => {
  const notModified = new PreparedResponse(304, [["ETag", '"v1"']]);
  const text = decoder.decode(notModified.encoded(DATE_A, true).bytes);
  assert.ok(!text.includes("Content-Length"));
  assert.ok(text.endsWith("\r\n\r\n"));
  assert.throws(
    () => new PreparedResponse(200, [["X-Bad", "a\r\nSet-Cookie: evil=1"]]),
    TypeError,
  );
});

Deno.test("preparedBytes hands out bytes made once per Date, the head alone for HEAD, and no body for a 304", () => {
  const body = new TextEncoder().encode("body!");
  const ok = new PreparedResponse(200, [["Content-Type", "text/plain"]], body);
  const get = preparedBytes(ok, "GET", true);
  // A request costs no allocation: the same object each time.
  assert.equal(preparedBytes(ok, "GET", true), get);
  assert.equal(get.bodyBytes, 5);
  assert.ok(decoder.decode(get.bytes).endsWith("\r\n\r\nbody!"));
  const head = preparedBytes(ok, "HEAD", true);
  assert.equal(head.bodyBytes, 0);
  assert.equal(
    decoder.decode(head.bytes),
    decoder.decode(get.bytes).slice(0, -5),
  );
  assert.equal(preparedBytes(ok, "HEAD", true), head);
  // A body given to a status that has none is never sent, GET or not.
  const notModified = new PreparedResponse(304, [["ETag", '"v1"']], body);
  const unchanged = preparedBytes(notModified, "GET", false);
  assert.equal(unchanged.bodyBytes, 0);
  assert.ok(
    decoder.decode(unchanged.bytes).endsWith("Connection: close\r\n\r\n"),
  );
});

Deno.test("sendPrepared writes one buffer, only the head for HEAD, and records status and bytes", async () => {
  const prepared = new PreparedResponse(
    200,
    [["Content-Type", "text/plain"]],
    new TextEncoder().encode("body!"),
  );
  const get = sink();
  const res = new ConnResponseWriter(get, {
    method: "GET",
    version: "HTTP/1.1",
    keepAlive: true,
  });
  await res.sendPrepared(prepared);
  assert.equal(get.writes.length, 1);
  assert.ok(get.text().endsWith("\r\n\r\nbody!"));
  assert.equal(res.status, 200);
  assert.equal(res.bodyBytes, 5);

  const head = sink();
  const headRes = new ConnResponseWriter(head, {
    method: "HEAD",
    version: "HTTP/1.1",
    keepAlive: false,
  });
  await headRes.sendPrepared(prepared);
  assert.ok(head.text().includes("\r\nContent-Length: 5\r\n"));
  assert.ok(head.text().includes("\r\nConnection: close\r\n"));
  assert.ok(head.text().endsWith("\r\n\r\n"));
  assert.equal(headRes.bodyBytes, 0);
  await assert.rejects(() => headRes.sendPrepared(prepared), Error);
});
