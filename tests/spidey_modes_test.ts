/**
 * spidey's connection modes against real processes: keep-alive and
 * pipelining with `-f`, one connection at a time without it. The `-w N`
 * worker processes are in spidey_workers_test.ts.
 */

import assert from "node:assert/strict";
import { parseResponses, type RawResponse } from "./helpers/raw_http.ts";
import {
  makeDocroot,
  serveFolder,
  startSpidey,
} from "./helpers/spidey_process.ts";

const encoder = new TextEncoder();

/** A raw connection that collects what the server sends. */
class Client {
  #conn: Deno.Conn;
  #bytes = new Uint8Array(0);
  #eof = false;
  #waiters: Array<() => void> = [];

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#pump();
  }

  static async open(port: number): Promise<Client> {
    return new Client(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async #pump(): Promise<void> {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        const next = new Uint8Array(this.#bytes.length + n);
        next.set(this.#bytes);
        next.set(buf.subarray(0, n), this.#bytes.length);
        this.#bytes = next;
        this.#wake();
      }
    } catch {
      // Closed by us.
    }
    this.#eof = true;
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  async send(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) {
      off += await this.#conn.write(bytes.subarray(off));
    }
  }

  /** Complete responses received so far. */
  complete(methods: string[] = []): RawResponse[] {
    let parsed: RawResponse[];
    try {
      parsed = parseResponses(this.#bytes, methods);
    } catch {
      return [];
    }
    return parsed.filter((r) => {
      const cl = r.headers.get("content-length");
      return methods[parsed.indexOf(r)] === "HEAD" || cl === undefined ||
        Number(cl) === r.body.length;
    });
  }

  get closed(): boolean {
    return this.#eof;
  }

  /** Waits until `done()` holds; false when `timeoutMs` passes first. */
  async waitFor(done: () => boolean, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Waits for `n` complete responses. */
  async responses(n: number, methods: string[] = []): Promise<RawResponse[]> {
    const ok = await this.waitFor(() =>
      this.complete(methods).length >= n || this.#eof
    );
    const got = this.complete(methods);
    assert.ok(
      ok && got.length >= n,
      `expected ${n} responses, got ${got.length}`,
    );
    return got;
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* closed */ }
  }
}

const KEEP = (path: string, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;

Deno.test("spidey -f keeps connections alive and answers pipelined requests in order", async (t) => {
  const root = await makeDocroot({
    "one.txt": "1",
    "two.txt": "22",
    "three.txt": "333",
  });
  await using spidey = await serveFolder(root, ["-q"]);
  const port = spidey.port;

  await t.step(
    "several requests in one write get in-order responses",
    async () => {
      const c = await Client.open(port);
      try {
        await c.send(
          KEEP("/one.txt") + KEEP("/missing") +
            `HEAD /two.txt HTTP/1.1\r\nHost: a\r\n\r\n` +
            KEEP("/three.txt") + KEEP("/two.txt"),
        );
        const methods = ["GET", "GET", "HEAD", "GET", "GET"];
        const res = await c.responses(5, methods);
        assert.deepEqual(res.map((r) => r.status), [200, 404, 200, 200, 200]);
        assert.deepEqual(res.map((r) => r.text).filter((_, i) => i !== 1), [
          "1",
          "",
          "333",
          "22",
        ]);
        assert.ok(
          res.every((r) => r.headers.get("connection") === "keep-alive"),
        );
        assert.equal(c.closed, false, "still open for more");
        await c.send(KEEP("/one.txt", "Connection: close\r\n"));
        assert.ok(
          await c.waitFor(() => c.closed),
          "closed after Connection: close",
        );
        const all = c.complete([...methods, "GET"]);
        assert.equal(all.length, 6);
        assert.equal(all[5]!.headers.get("connection"), "close");
      } finally {
        c.close();
      }
    },
  );

  await t.step("many requests over one connection, one at a time", async () => {
    const c = await Client.open(port);
    try {
      for (let i = 1; i <= 20; i++) {
        await c.send(KEEP(i % 2 ? "/one.txt" : "/two.txt"));
        const res = await c.responses(i);
        assert.equal(res[i - 1]!.text, i % 2 ? "1" : "22");
      }
    } finally {
      c.close();
    }
  });

  await t.step("pipelined requests split at odd places", async () => {
    const c = await Client.open(port);
    try {
      const text = KEEP("/one.txt") + KEEP("/two.txt") +
        KEEP("/three.txt", "Connection: close\r\n");
      for (let i = 0; i < text.length; i += 7) {
        await c.send(text.slice(i, i + 7));
      }
      const res = await c.responses(3);
      assert.deepEqual(res.map((r) => r.text), ["1", "22", "333"]);
      assert.ok(await c.waitFor(() => c.closed));
    } finally {
      c.close();
    }
  });

  await t.step("HTTP/1.0 closes unless it asks for keep-alive", async () => {
    const plain = await Client.open(port);
    try {
      await plain.send("GET /one.txt HTTP/1.0\r\n\r\n");
      const [res] = await plain.responses(1);
      assert.equal(res!.headers.get("connection"), "close");
      assert.ok(await plain.waitFor(() => plain.closed));
    } finally {
      plain.close();
    }
    const kept = await Client.open(port);
    try {
      await kept.send(
        "GET /one.txt HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
      );
      const [first] = await kept.responses(1);
      assert.equal(first!.headers.get("connection"), "keep-alive");
      assert.equal(first!.text, "1");
      await kept.send(
        "GET /two.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      );
      const both = await kept.responses(2);
      assert.equal(both[1]!.text, "22");
      assert.equal(kept.closed, false);
      await kept.send("GET /three.txt HTTP/1.0\r\n\r\n");
      await kept.responses(3);
      assert.ok(await kept.waitFor(() => kept.closed));
    } finally {
      kept.close();
    }
  });

  await t.step(
    "Connection: close is honoured, in any case and list",
    async () => {
      const c = await Client.open(port);
      try {
        await c.send(
          KEEP("/one.txt", "Connection: TE, Close\r\n") + KEEP("/two.txt"),
        );
        const res = await c.responses(1);
        assert.equal(res[0]!.headers.get("connection"), "close");
        assert.ok(await c.waitFor(() => c.closed));
        assert.equal(
          c.complete().length,
          1,
          "the pipelined request after close is dropped",
        );
      } finally {
        c.close();
      }
    },
  );

  await t.step("many connections at once are all served", async () => {
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => Client.open(port)),
    );
    try {
      await Promise.all(clients.map((c) => c.send(KEEP("/three.txt"))));
      const results = await Promise.all(clients.map((c) => c.responses(1)));
      assert.ok(results.every((r) => r[0]!.text === "333"));
    } finally {
      for (const c of clients) c.close();
    }
  });
});

Deno.test("spidey without -f serves one connection at a time, one response each", async (t) => {
  const root = await makeDocroot({ "hello.txt": "hello" });
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-d",
    root,
    "-q",
    "--header-timeout",
    "2",
  ]);
  const port = spidey.port;

  await t.step("keep-alive requests still get Connection: close", async () => {
    const c = await Client.open(port);
    try {
      await c.send(
        KEEP("/hello.txt", "Connection: keep-alive\r\n") + KEEP("/hello.txt"),
      );
      const [res] = await c.responses(1);
      assert.equal(res!.status, 200);
      assert.equal(res!.headers.get("connection"), "close");
      assert.ok(await c.waitFor(() => c.closed), "closed after one response");
      assert.equal(c.complete().length, 1);
    } finally {
      c.close();
    }
  });

  await t.step(
    "the next connection waits until the current one is done",
    async () => {
      const a = await Client.open(port);
      const b = await Client.open(port);
      try {
        await a.send("GET /hello.txt HTTP/1.1\r\nHost: loc");
        // Let the server take A before B is ready.
        await new Promise((r) => setTimeout(r, 200));
        await b.send(KEEP("/hello.txt"));
        const early = await b.waitFor(() => b.complete().length > 0, 700);
        assert.equal(early, false, "B was answered while A was open");
        await a.send("alhost\r\n\r\n");
        const [resA] = await a.responses(1);
        assert.equal(resA!.status, 200);
        const [resB] = await b.responses(1);
        assert.equal(resB!.status, 200);
        assert.equal(resB!.text, "hello");
      } finally {
        a.close();
        b.close();
      }
    },
  );

  await t.step("...or until it times out", async () => {
    const a = await Client.open(port);
    const b = await Client.open(port);
    try {
      await a.send("GET /hello.txt HTTP/1.1\r\n");
      await new Promise((r) => setTimeout(r, 200));
      await b.send(KEEP("/hello.txt"));
      const [resB] = await b.responses(1);
      assert.equal(resB!.status, 200);
      // A was cut off by the header timeout before B got its turn.
      const [resA] = a.complete();
      assert.equal(resA?.status, 408);
      assert.ok(a.closed);
    } finally {
      a.close();
      b.close();
    }
  });

  await t.step(
    "a connection that sends nothing is dropped by the header timeout",
    async () => {
      const idle = await Client.open(port);
      const next = await Client.open(port);
      try {
        await new Promise((r) => setTimeout(r, 200));
        await next.send(KEEP("/hello.txt"));
        const [res] = await next.responses(1);
        assert.equal(res!.status, 200);
        assert.ok(await idle.waitFor(() => idle.closed, 5000));
        assert.equal(idle.complete().length, 0, "nothing to answer");
      } finally {
        idle.close();
        next.close();
      }
    },
  );
});
