import assert from "node:assert/strict";
import {
  BufferedReader,
  type ByteSource,
} from "../lib/http/buffered_reader.ts";
import { HttpError, ProtocolError } from "../lib/http/errors.ts";
import {
  type BodyFraming,
  DISCARD_LIMIT,
  expectsContinue,
  RequestBody,
  requestBodyFraming,
  type RequestBodyOptions,
} from "../lib/server/core/request_body.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A source that serves `data` in pieces, then ends (or stalls forever). */
function source(data: string, piece = 3, stall = false): ByteSource {
  const bytes = encoder.encode(data);
  let off = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (off >= bytes.length) {
        return stall ? new Promise(() => {}) : Promise.resolve(null);
      }
      const n = Math.min(piece, p.length, bytes.length - off);
      p.set(bytes.subarray(off, off + n));
      off += n;
      return Promise.resolve(n);
    },
  };
}

/** Collects what is written, like a socket would. */
class Recorder {
  bytes = "";
  write(p: Uint8Array): Promise<number> {
    this.bytes += decoder.decode(p);
    return Promise.resolve(p.length);
  }
}

function bodyOf(
  data: string | BufferedReader,
  framing: BodyFraming,
  options: Partial<RequestBodyOptions> = {},
): RequestBody {
  const r = typeof data === "string"
    ? new BufferedReader(source(data), 16)
    : data;
  return new RequestBody(r, framing, {
    maxBytes: 100,
    timeoutMs: 10_000,
    ...options,
  });
}

async function readAll(body: RequestBody): Promise<string> {
  let text = "";
  for (;;) {
    const piece = await body.read();
    if (piece === null) return text;
    text += decoder.decode(piece);
  }
}

async function statusOf(run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (err) {
    return err instanceof HttpError ? err.status : -1;
  }
}

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

Deno.test("expectsContinue: 100-continue with a body on HTTP/1.1; 417 for anything else", () => {
  const h = (o: Record<string, string>) => new Map(Object.entries(o));
  const length = { kind: "length", length: 5 } as const;
  assert.equal(expectsContinue(h({}), length, "HTTP/1.1"), false);
  assert.equal(
    expectsContinue(h({ expect: "100-Continue" }), length, "HTTP/1.1"),
    true,
  );
  assert.equal(
    expectsContinue(h({ expect: "100-continue" }), length, "HTTP/1.0"),
    false,
  );
  assert.equal(
    expectsContinue(
      h({ expect: "100-continue" }),
      { kind: "none" },
      "HTTP/1.1",
    ),
    false,
  );
  assert.throws(
    () =>
      expectsContinue(h({ expect: "200-ok" }), { kind: "none" }, "HTTP/1.1"),
    (err: unknown) => err instanceof HttpError && err.status === 417,
  );
});

Deno.test("RequestBody streams a body and leaves what follows", async () => {
  const r = new BufferedReader(source("hello worldNEXT", 4), 16);
  const body = bodyOf(r, { kind: "length", length: 11 });
  assert.equal(body.length, 11);
  assert.equal(body.complete, false);
  assert.equal(await readAll(body), "hello world");
  assert.equal(body.complete, true);
  assert.equal(body.received, 11);
  const rest = new Uint8Array(4);
  await r.readFull(rest);
  assert.equal(decoder.decode(rest), "NEXT");

  const chunked = bodyOf("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", {
    kind: "chunked",
  });
  assert.equal(chunked.length, null);
  assert.equal(await readAll(chunked), "abcde");
  assert.equal(chunked.received, 5);

  const none = RequestBody.none();
  assert.equal(none.complete, true);
  assert.equal(none.length, 0);
  assert.equal(await none.read(), null);
  assert.equal(await none.discard(0), true);
});

Deno.test("RequestBody answers broken or oversized bodies with their status", async () => {
  const chunked = { kind: "chunked" } as const;
  assert.equal(await statusOf(() => readAll(bodyOf("zz\r\n", chunked))), 400);
  assert.equal(
    await statusOf(() => readAll(bodyOf("3\r\nabcdef\r\n", chunked))),
    400,
  );
  assert.equal(
    await statusOf(() => readAll(bodyOf("FFF\r\n", chunked))),
    413,
  );
  // A client that leaves mid-body has no one to answer.
  const cut = bodyOf("3\r\nabc", chunked);
  await assert.rejects(
    () => readAll(cut),
    (err: unknown) =>
      err instanceof ProtocolError && err.code === "UNEXPECTED_EOF",
  );
  assert.equal(cut.failed, true);
  // The failure sticks: the connection cannot be reused.
  await assert.rejects(() => cut.read(), ProtocolError);
  assert.equal(await cut.discard(100), false);
});

Deno.test("RequestBody sends 100 Continue on the first read, only when nothing arrived yet", async () => {
  const framing = { kind: "length", length: 5 } as const;
  const sink = new Recorder();
  const body = bodyOf("hello", framing, { sendContinue: true, sink });
  assert.equal(sink.bytes, "", "not before the body is wanted");
  assert.equal(await readAll(body), "hello");
  assert.equal(sink.bytes, "HTTP/1.1 100 Continue\r\n\r\n");

  // Already buffered: the client did not wait, so no interim answer.
  const sink2 = new Recorder();
  const pre = new BufferedReader(source("H\r\n\r\nhello", 100));
  await pre.readHead(100);
  await readAll(bodyOf(pre, framing, { sendContinue: true, sink: sink2 }));
  assert.equal(sink2.bytes, "");

  // A body too large to be drained is not invited.
  const sink3 = new Recorder();
  const big = bodyOf("x".repeat(50), { kind: "length", length: 50 }, {
    sendContinue: true,
    sink: sink3,
  });
  assert.equal(await big.discard(10), false);
  assert.equal(sink3.bytes, "");
  assert.equal(big.received, 0);
});

Deno.test("RequestBody.discard drops a small rest and refuses a large one", async () => {
  const r = new BufferedReader(source("abcdefNEXT"), 16);
  const small = bodyOf(r, { kind: "length", length: 6 });
  assert.equal(await small.discard(6), true);
  assert.equal(small.complete, true);
  const rest = new Uint8Array(4);
  await r.readFull(rest);
  assert.equal(decoder.decode(rest), "NEXT");

  // A chunked body has no length up front: it is read until the limit.
  const chunked = bodyOf("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", {
    kind: "chunked",
  });
  assert.equal(await chunked.discard(7), false);
  assert.equal(chunked.complete, false);
  assert.ok(DISCARD_LIMIT >= 16 * 1024);
});

Deno.test("RequestBody answers 408 when the client stalls, and parks the connection's timer meanwhile", async () => {
  const events: string[] = [];
  const r = new BufferedReader(source("abc", 3, true), 16);
  const body = bodyOf(r, { kind: "length", length: 10 }, {
    timeoutMs: 150,
    onWait: () => events.push("wait"),
    onProgress: () => events.push("progress"),
  });
  assert.equal(decoder.decode((await body.read())!), "abc");
  const started = performance.now();
  await assert.rejects(
    () => body.read(),
    (err: unknown) =>
      err instanceof HttpError && err.status === 408 &&
      err.code === "BODY_TIMEOUT",
  );
  const waited = performance.now() - started;
  assert.ok(waited >= 140 && waited < 1000, `waited ${waited} ms`);
  assert.deepEqual(events, ["wait", "progress", "wait", "progress"]);
  assert.equal(body.failed, true);
});

Deno.test("RequestBody answers 408 to a body trickled below the minimum rate", async () => {
  // One byte every 20 ms (50 bytes/s): each wait is short, but past the
  // 200 ms grace the body must average 500 bytes/s.
  let sent = 0;
  const trickle: ByteSource = {
    async read(p: Uint8Array): Promise<number | null> {
      await new Promise((resolve) => setTimeout(resolve, 20));
      p[0] = 120;
      sent++;
      return 1;
    },
  };
  const body = bodyOf(new BufferedReader(trickle, 16), {
    kind: "length",
    length: 1000,
  }, { timeoutMs: 200, maxBytes: 1000 });
  const started = performance.now();
  assert.equal(await statusOf(() => readAll(body)), 408);
  const took = performance.now() - started;
  assert.ok(took >= 190 && took < 1500, `took ${took} ms`);
  assert.ok(sent >= 5 && sent < 60, `${sent} bytes`);
});
