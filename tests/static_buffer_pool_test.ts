import assert from "node:assert/strict";
import { BufferPool } from "../lib/server/static/buffer_pool.ts";

Deno.test("BufferPool reuses returned buffers", () => {
  const pool = new BufferPool(1024, 2);
  const a = pool.acquire();
  assert.equal(a.length, 1024);
  pool.release(a);
  assert.equal(pool.idle, 1);
  assert.equal(pool.acquire(), a);
  assert.equal(pool.idle, 0);
});

Deno.test("BufferPool hands out distinct buffers while they are in use", () => {
  const pool = new BufferPool(16, 4);
  const a = pool.acquire();
  const b = pool.acquire();
  assert.notEqual(a, b);
});

Deno.test("BufferPool keeps at most maxIdle and only its own size", () => {
  const pool = new BufferPool(16, 2);
  const held = [pool.acquire(), pool.acquire(), pool.acquire()];
  for (const b of held) pool.release(b);
  assert.equal(pool.idle, 2);
  pool.release(new Uint8Array(8));
  assert.equal(pool.idle, 2);
});
