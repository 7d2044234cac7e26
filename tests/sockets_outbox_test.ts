import assert from "node:assert/strict";
import type { DuplexConn } from "../lib/sockets/net.ts";
import { Outbox } from "../lib/sockets/outbox.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A connection whose writes wait until `release()` is called. */
function fakeConn(blocked = false) {
  const written: string[] = [];
  let release: () => void = () => {};
  let gate = blocked
    ? new Promise<void>((resolve) => release = resolve)
    : Promise.resolve();
  const conn = {
    written,
    closed: false,
    halfClosed: false,
    release() {
      release();
      gate = Promise.resolve();
    },
    async write(p: Uint8Array): Promise<number> {
      await gate;
      if (conn.closed) throw new Error("closed");
      written.push(decoder.decode(p));
      return p.length;
    },
    read(): Promise<number | null> {
      return Promise.resolve(null);
    },
    closeWrite(): Promise<void> {
      conn.halfClosed = true;
      return Promise.resolve();
    },
    close(): void {
      conn.closed = true;
    },
  };
  return conn satisfies DuplexConn;
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("queued sends are written in order", async () => {
  const conn = fakeConn();
  const outbox = new Outbox(conn, 1024, () => assert.fail("closed"));
  outbox.send(encoder.encode("a"));
  outbox.send(encoder.encode("b"));
  outbox.send(encoder.encode("c"));
  await settle();
  assert.deepEqual(conn.written, ["a", "b", "c"]);
  assert.equal(outbox.queued, 0);
});

Deno.test("a reader that falls behind past the limit is cut off", async () => {
  const conn = fakeConn(true);
  const reasons: string[] = [];
  const outbox = new Outbox(conn, 10, (why) => reasons.push(why));
  outbox.send(encoder.encode("12345"));
  outbox.send(encoder.encode("67890"));
  assert.equal(outbox.queued, 10);
  assert.equal(conn.closed, false);
  outbox.send(encoder.encode("!"));
  assert.equal(conn.closed, true);
  assert.deepEqual(reasons, ["more than 10 bytes waiting to be sent"]);
  outbox.send(encoder.encode("ignored"));
  conn.release();
  await settle();
  assert.equal(reasons.length, 1);
  assert.ok(!conn.written.includes("ignored"));
});

Deno.test("finish writes what is queued, then the last words, then closes", async () => {
  const conn = fakeConn(true);
  const outbox = new Outbox(conn, 1024, () => {});
  outbox.send(encoder.encode("queued"));
  const finished = outbox.finish(encoder.encode("bye"));
  outbox.send(encoder.encode("too late"));
  conn.release();
  await finished;
  assert.deepEqual(conn.written, ["queued", "bye"]);
  assert.ok(conn.halfClosed && conn.closed);
});
