import assert from "node:assert/strict";
import { BufferPool } from "../lib/server/static/buffer_pool.ts";

const KIB = 1024;

Deno.test("BufferPool sizes pieces to the bytes to send, within its limits", () => {
  const pool = new BufferPool({
    minPieceBytes: 16 * KIB,
    maxPieceBytes: KIB * KIB,
  });
  assert.equal(pool.pieceSizeFor(1), 16 * KIB);
  assert.equal(pool.pieceSizeFor(200_000), 256 * KIB);
  assert.equal(pool.pieceSizeFor(256 * KIB), 256 * KIB);
  assert.equal(pool.pieceSizeFor(5e9), KIB * KIB);
  assert.equal(pool.tryAcquire(200_000)?.length, 256 * KIB);
});

Deno.test("BufferPool reuses returned buffers", () => {
  const pool = new BufferPool({ minPieceBytes: 1024, maxIdle: 2 });
  const a = pool.tryAcquire(1000)!;
  assert.equal(a.length, 1024);
  pool.release(a);
  assert.equal(pool.idle, 1);
  assert.equal(pool.tryAcquire(1000), a);
  assert.equal(pool.idle, 0);
});

Deno.test("BufferPool hands out distinct buffers while they are in use", () => {
  const pool = new BufferPool({ minPieceBytes: 16 });
  const a = pool.tryAcquire(16);
  const b = pool.tryAcquire(16);
  assert.ok(a !== null && b !== null);
  assert.notEqual(a, b);
});

Deno.test("BufferPool keeps at most maxIdle and only its own buffers", () => {
  const pool = new BufferPool({ minPieceBytes: 16, maxIdle: 2 });
  const held = [16, 16, 16].map((n) => pool.tryAcquire(n)!);
  for (const b of held) pool.release(b);
  assert.equal(pool.idle, 2);
  assert.equal(pool.heldBytes, 32, "a buffer not kept is let go");
  pool.release(new Uint8Array(16));
  assert.equal(pool.idle, 2);
  pool.release(held[0]!);
  assert.equal(pool.idle, 2, "a buffer given back twice counts once");
});

Deno.test("BufferPool stays within its budget: smaller pieces, then unpooled ones", () => {
  const pool = new BufferPool({
    minPieceBytes: 16 * KIB,
    maxPieceBytes: 64 * KIB,
    budgetBytes: 128 * KIB,
    maxIdle: 0,
  });
  const a = pool.tryAcquire(1e9)!;
  const b = pool.tryAcquire(1e9)!;
  assert.deepEqual([a.length, b.length], [64 * KIB, 64 * KIB]);
  assert.equal(pool.tryAcquire(1e9), null, "the budget is spent");
  pool.release(b);
  const c = pool.tryAcquire(1e9)!;
  assert.equal(c.length, 64 * KIB);
  pool.release(c);
  // 112 KiB out: only a 16 KiB piece fits.
  const halves = [pool.tryAcquire(32 * KIB)!, pool.tryAcquire(16 * KIB)!];
  assert.deepEqual(halves.map((h) => h.length), [32 * KIB, 16 * KIB]);
  const small = pool.tryAcquire(1e9);
  assert.equal(small?.length, 16 * KIB, "a smaller piece instead of none");
  assert.equal(pool.heldBytes, 128 * KIB);

  // Spent: acquire does not wait (a client that reads nothing would hold
  // the budget forever), it hands out a small piece outside the pool.
  assert.equal(pool.tryAcquire(16), null);
  const extra = pool.acquire(64 * KIB);
  assert.equal(extra.length, 16 * KIB, "an unpooled piece of minPieceBytes");
  assert.equal(pool.unpooledPieces, 1);
  assert.equal(pool.heldBytes, 128 * KIB, "unpooled pieces are not counted");
  pool.release(extra);
  assert.equal(pool.idle, 0, "an unpooled piece is let go, not kept");
  assert.equal(pool.heldBytes, 128 * KIB);
  pool.release(a);
  const pooled = pool.acquire(64 * KIB);
  assert.equal(pooled.length, 64 * KIB, "the pool serves again once freed");
  assert.equal(pool.unpooledPieces, 1);
});

Deno.test("BufferPool frees idle buffers of one size to make room for another", () => {
  const pool = new BufferPool({
    minPieceBytes: 16 * KIB,
    maxPieceBytes: 64 * KIB,
    budgetBytes: 64 * KIB,
    maxIdle: 8,
  });
  const smalls = [1, 2, 3, 4].map(() => pool.tryAcquire(16 * KIB)!);
  for (const s of smalls) pool.release(s);
  assert.equal(pool.idle, 4);
  const big = pool.tryAcquire(64 * KIB);
  assert.equal(big?.length, 64 * KIB);
  assert.equal(pool.idle, 0);
  assert.equal(pool.heldBytes, 64 * KIB);
});
