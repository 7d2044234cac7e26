/**
 * What a CGI script gets on stdin: a body with a length streams through,
 * a chunked one is gathered first (in memory within the shared budget,
 * else in a temporary file), and a failing body is reported before stdin
 * closes.
 */

import assert from "node:assert/strict";
import {
  BufferedReader,
  type ByteSource,
} from "../lib/http/buffered_reader.ts";
import { HttpError } from "../lib/http/errors.ts";
import {
  ScriptInput,
  SPOOL_MEMORY_LIMIT,
} from "../lib/server/cgi/script_input.ts";
import { ByteBudget } from "../lib/server/core/body_budget.ts";
import { concat } from "./helpers/raw_http.ts";
import {
  type BodyFraming,
  RequestBody,
} from "../lib/server/core/request_body.ts";

const encoder = new TextEncoder();

function source(bytes: Uint8Array, piece = 4096, stall = false): ByteSource {
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

function bodyOf(
  wire: Uint8Array,
  framing: BodyFraming,
  options: { stall?: boolean; timeoutMs?: number } = {},
): RequestBody {
  return new RequestBody(
    new BufferedReader(source(wire, 4096, options.stall), 8192),
    framing,
    { maxBytes: 1 << 30, timeoutMs: options.timeoutMs ?? 10_000 },
  );
}

/** `data` as a chunked body in pieces of `piece` bytes. */
function chunkedWire(data: Uint8Array, piece: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += piece) {
    const chunk = data.subarray(off, off + piece);
    parts.push(encoder.encode(chunk.length.toString(16) + "\r\n"), chunk);
    parts.push(encoder.encode("\r\n"));
  }
  parts.push(encoder.encode("0\r\n\r\n"));
  return concat(parts);
}

/** A stdin that collects what is written (or refuses after `limit`). */
function collector(limit = Infinity) {
  const parts: Uint8Array[] = [];
  let total = 0;
  let closed = false;
  let aborted = false;
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      if (total >= limit) throw new Error("Broken pipe");
      parts.push(chunk.slice());
      total += chunk.length;
    },
    close() {
      closed = true;
    },
    abort() {
      aborted = true;
    },
  });
  return {
    stream,
    bytes: () => {
      const out = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        out.set(p, off);
        off += p.length;
      }
      return out;
    },
    state: () => ({ closed, aborted }),
  };
}

const data = new Uint8Array(300_000).map((_, i) => (i * 13) % 256);

Deno.test("ScriptInput streams a body with a length as it is read", async () => {
  const budget = new ByteBudget(1024);
  const input = await ScriptInput.of(
    bodyOf(data, { kind: "length", length: data.length }),
    budget,
  );
  assert.equal(input.length, data.length);
  assert.equal(budget.used, 0, "nothing is gathered");
  const stdin = collector();
  await input.writeTo(stdin.stream, () => assert.fail("no body error"));
  assert.deepEqual(stdin.bytes(), data);
  assert.deepEqual(stdin.state(), { closed: true, aborted: false });
});

Deno.test("ScriptInput gathers a small chunked body in memory, within the budget", async () => {
  const budget = new ByteBudget(1 << 20);
  const small = data.subarray(0, 1000);
  const input = await ScriptInput.of(
    bodyOf(chunkedWire(small, 300), { kind: "chunked" }),
    budget,
  );
  assert.equal(input.length, 1000);
  assert.equal(budget.used, 1000);
  const stdin = collector();
  await input.writeTo(stdin.stream, () => assert.fail("no body error"));
  assert.deepEqual(stdin.bytes(), small);
  assert.equal(budget.used, 0, "given back");
});

Deno.test("ScriptInput puts a large chunked body, or one past the budget, in a file", async () => {
  for (
    const [what, budget] of [
      ["larger than the memory limit", new ByteBudget(1 << 20)],
      ["with the budget spent", new ByteBudget(100)],
    ] as const
  ) {
    const body = what.startsWith("larger")
      ? data
      : data.subarray(0, SPOOL_MEMORY_LIMIT / 2);
    const input = await ScriptInput.of(
      bodyOf(chunkedWire(body, 7000), { kind: "chunked" }),
      budget,
    );
    assert.equal(input.length, body.length, what);
    assert.equal(budget.used, 0, what);
    const stdin = collector();
    await input.writeTo(stdin.stream, () => assert.fail("no body error"));
    assert.deepEqual(stdin.bytes(), body, what);
  }
});

Deno.test("ScriptInput: a script that stops reading is fine; a failing body is reported first", async () => {
  const quitter = collector(10_000);
  const input = await ScriptInput.of(
    bodyOf(data, { kind: "length", length: data.length }),
  );
  await input.writeTo(quitter.stream, () => assert.fail("no body error"));
  assert.ok(quitter.bytes().length < data.length);

  const events: string[] = [];
  const stalled = await ScriptInput.of(
    bodyOf(data.subarray(0, 5000), { kind: "length", length: 10_000 }, {
      stall: true,
      timeoutMs: 100,
    }),
  );
  const stdin = collector();
  await stalled.writeTo(stdin.stream, (err) => {
    assert.ok(err instanceof HttpError && err.status === 408);
    events.push(`error, closed=${stdin.state().closed}`);
  });
  assert.deepEqual(events, ["error, closed=false"]);
  assert.deepEqual(stdin.state(), { closed: false, aborted: true });

  // Gathering a chunked body that fails throws at once, and frees memory.
  const budget = new ByteBudget(1 << 20);
  await assert.rejects(
    () =>
      ScriptInput.of(
        bodyOf(encoder.encode("5\r\nhello\r\n5\r\nwo"), { kind: "chunked" }, {
          stall: true,
          timeoutMs: 100,
        }),
        budget,
      ),
    (err: unknown) => err instanceof HttpError && err.status === 408,
  );
  assert.equal(budget.used, 0);
});
