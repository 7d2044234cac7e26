/**
 * Deadlines and graceful shutdown against real spidey processes: stalled
 * and dripping heads get 408, idle keep-alive connections are closed, and
 * SIGINT/SIGTERM let requests in flight finish before exiting with 0.
 */

import assert from "node:assert/strict";
import { parseResponses, type RawResponse } from "./helpers/raw_http.ts";
import {
  makeDocroot,
  serveFolder,
  startSpidey,
} from "./helpers/spidey_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection whose received bytes are collected in the background. */
class Peer {
  readonly conn: Deno.Conn;
  bytes: Uint8Array = new Uint8Array(0);
  /** Resolves when the server ends the connection. */
  readonly ended: Promise<void>;
  closed = false;

  private constructor(conn: Deno.Conn) {
    this.conn = conn;
    this.ended = this.#pump();
  }

  static async open(port: number): Promise<Peer> {
    return new Peer(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async #pump(): Promise<void> {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.conn.read(buf);
        if (n === null) break;
        const next = new Uint8Array(this.bytes.length + n);
        next.set(this.bytes);
        next.set(buf.subarray(0, n), this.bytes.length);
        this.bytes = next;
      }
    } catch {
      // Reset or closed by us.
    }
    this.closed = true;
  }

  async send(text: string): Promise<void> {
    await this.conn.write(encoder.encode(text));
  }

  /** Waits up to `ms` for the server to end the connection. */
  async endsWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((r) =>
      timer = setTimeout(() => r(false), ms)
    );
    const result = await Promise.race([this.ended.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  responses(methods: string[] = []): RawResponse[] {
    return this.bytes.length === 0 ? [] : parseResponses(this.bytes, methods);
  }

  get text(): string {
    return decoder.decode(this.bytes);
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

Deno.test("spidey enforces header and idle timeouts", async (t) => {
  const root = await makeDocroot({ "hello.txt": "hello" });
  await using spidey = await serveFolder(root, [
    "--header-timeout",
    "1",
    "--idle-timeout",
    "1",
  ]);
  const port = spidey.port;

  await t.step("a stalled partial head gets 408 and is closed", async () => {
    const p = await Peer.open(port);
    try {
      const started = Date.now();
      await p.send("GET /hello.txt HTTP/1.1\r\nHost: local");
      assert.ok(await p.endsWithin(8000), "closed by the header timeout");
      assert.ok(Date.now() - started >= 900, "not before the timeout");
      const [res] = p.responses();
      assert.equal(res!.status, 408);
      assert.equal(res!.headers.get("connection"), "close");
      assert.match(res!.headers.get("content-type") ?? "", /^text\/html/);
      assert.ok(res!.text.includes("408"));
      await spidey.waitForLog(/"GET \/hello\.txt HTTP\/1\.1" 408|" 408 /);
    } finally {
      p.close();
    }
  });

  await t.step(
    "an idle keep-alive connection is closed without an answer",
    async () => {
      const p = await Peer.open(port);
      try {
        await p.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
        assert.ok(await p.endsWithin(8000), "closed after the idle timeout");
        const res = p.responses();
        assert.equal(res.length, 1, p.text);
        assert.equal(res[0]!.status, 200);
        assert.equal(res[0]!.headers.get("connection"), "keep-alive");
      } finally {
        p.close();
      }
    },
  );

  await t.step(
    "a dripped head is cut off: bytes do not extend the deadline",
    async () => {
      const p = await Peer.open(port);
      try {
        const head = "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Pad: " +
          "a".repeat(60) + "\r\n\r\n";
        const started = Date.now();
        let sent = 0;
        // One byte every 300 ms would take ~26 s to finish the head.
        for (; sent < head.length && !p.closed; sent++) {
          try {
            await p.send(head[sent]!);
          } catch {
            break;
          }
          await sleep(300);
        }
        assert.ok(sent < head.length, "the server waited for the whole drip");
        assert.ok(Date.now() - started < 10_000);
        await p.ended;
        assert.equal(p.responses()[0]?.status, 408);
      } finally {
        p.close();
      }
    },
  );

  await t.step("a slow body is not cut off by the header timeout", async () => {
    const p = await Peer.open(port);
    try {
      await p.send(
        "GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nConnection: close\r\n\r\n",
      );
      for (const byte of "abcdef") {
        await sleep(300);
        await p.send(byte);
      }
      assert.ok(await p.endsWithin(8000));
      const [res] = p.responses();
      assert.equal(res!.status, 200);
      assert.equal(res!.text, "hello");
    } finally {
      p.close();
    }
  });
});

Deno.test("spidey shuts down gracefully on SIGTERM in concurrent mode", async () => {
  const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 253);
  const root = await makeDocroot({ "hello.txt": "hello", "big.bin": big });
  const spidey = await serveFolder(root, ["-q"]);
  const idle = await Peer.open(spidey.port);
  const upload = await Peer.open(spidey.port);
  const download = await Deno.connect({
    hostname: "127.0.0.1",
    port: spidey.port,
  });
  try {
    // An idle keep-alive connection.
    await idle.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    // An upload in flight: head and half of the body.
    await upload.send(
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhalf-",
    );
    // A large response that the client reads slowly.
    await download.write(
      encoder.encode("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"),
    );
    const buf = new Uint8Array(4096);
    const first = await download.read(buf);
    assert.ok(first !== null && first > 0, "the download started");
    await sleep(300);
    assert.equal(idle.responses().length, 1);

    spidey.child.kill("SIGTERM");
    assert.ok(await idle.endsWithin(5000), "the idle connection was closed");

    await sleep(300);
    await upload.send("there");
    assert.ok(await upload.endsWithin(8000));
    const [res] = upload.responses();
    assert.equal(res!.status, 200, upload.text);
    assert.equal(res!.text, "hello");
    assert.equal(res!.headers.get("connection"), "close");

    let received = first;
    const slow = new Uint8Array(256 * 1024);
    for (;;) {
      const n = await download.read(slow);
      if (n === null) break;
      received += n;
    }
    const head = decoder.decode(buf.subarray(0, first)).split("\r\n\r\n")[0]!;
    assert.match(head, /^HTTP\/1\.1 200/);
    const length = Number(/content-length: (\d+)/i.exec(head)![1]);
    assert.equal(length, big.length);
    assert.equal(received, head.length + 4 + length, "the whole body arrived");

    const status = await spidey.stop();
    assert.equal(status.code, 0);
    assert.match(spidey.stderr(), /\] Stopped$/m);
  } finally {
    idle.close();
    upload.close();
    try {
      download.close();
    } catch { /* closed */ }
    await spidey[Symbol.asyncDispose]();
  }
});

Deno.test("spidey shuts down gracefully on SIGINT in single mode", async (t) => {
  const root = await makeDocroot({ "hello.txt": "hello" });

  await t.step("a request in flight completes", async () => {
    const spidey = await startSpidey(["-p", "0", "-d", root, "-q"]);
    const p = await Peer.open(spidey.port);
    try {
      await p.send(
        "GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab",
      );
      await sleep(300);
      spidey.child.kill("SIGINT");
      await sleep(300);
      await p.send("cd");
      assert.ok(await p.endsWithin(8000));
      const [res] = p.responses();
      assert.equal(res!.status, 200);
      assert.equal(res!.text, "hello");
      const status = await spidey.stop("SIGINT");
      assert.equal(status.code, 0);
      assert.match(spidey.stderr(), /Stopped/);
    } finally {
      p.close();
      await spidey[Symbol.asyncDispose]();
    }
  });

  await t.step(
    "a connection that sent nothing does not hold up the exit",
    async () => {
      // The header timeout is 10 s by default; shutdown must not wait for it.
      const spidey = await startSpidey(["-p", "0", "-d", root, "-q"]);
      const p = await Peer.open(spidey.port);
      try {
        await sleep(300);
        const started = Date.now();
        spidey.child.kill("SIGINT");
        const status = await spidey.stop("SIGINT");
        assert.equal(status.code, 0);
        assert.ok(Date.now() - started < 5000, "exited without waiting 10 s");
        assert.ok(await p.endsWithin(2000));
        assert.equal(p.bytes.length, 0);
      } finally {
        p.close();
        await spidey[Symbol.asyncDispose]();
      }
    },
  );
});
