/**
 * Request bodies against a real spidey on loopback: bodies are streamed,
 * never held whole, so many large uploads that stall cost the server
 * almost no memory and do not stop it answering; a body sent too slowly
 * gets 408; CGI scripts still get whole bodies, chunked or not.
 */

import assert from "node:assert/strict";
import { shScript as sh, tempDocroot } from "./helpers/cgi_scripts.ts";
import {
  concat,
  get,
  parseResponses,
  rawExchange,
  rawRequest,
} from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";
import { sendBodyAfterContinue } from "./helpers/expect_continue.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const SCRIPTS = {
  "hello.txt": "hello\n",
  "cgi-bin/sink.sh": sh(
    `n=$(wc -c)\nprintf 'Content-Type: text/plain\\n\\ngot %s' "$n"\n`,
  ),
  "cgi-bin/head.sh": sh(
    `head -c 10 > /dev/null\nprintf 'Content-Type: text/plain\\n\\nread 10'\n`,
  ),
  "cgi-bin/echo.sh": sh(
    `printf 'Content-Type: application/octet-stream\\n'\n` +
      `printf 'X-Length: %s\\n\\n' "$CONTENT_LENGTH"\ncat\n`,
  ),
};

/** Resident memory of process `pid`, in bytes. */
function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  assert.ok(kb !== null, "VmRSS in /proc/PID/status");
  return Number(kb[1]) * 1024;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes `parts` to `conn`, giving up quietly when the server closes. */
async function sendQuietly(
  conn: Deno.Conn,
  ...parts: Uint8Array[]
): Promise<void> {
  try {
    for (const bytes of parts) {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    }
  } catch {
    // Answered and closed, or closed by the test.
  }
}

/** A 200 for /hello.txt on a fresh connection, and how long it took. */
async function timedHello(port: number): Promise<number> {
  const started = performance.now();
  const res = await rawRequest(port, get("/hello.txt"), { timeoutMs: 5000 });
  assert.equal(res.status, 200);
  assert.equal(res.text, "hello\n");
  return performance.now() - started;
}

Deno.test("spidey holds no body whole: 200 stalled 9 MB uploads cost it little memory", async () => {
  await using docroot = await tempDocroot(SCRIPTS);
  await using spidey = await serveFolder(docroot.path, [
    "-q",
    "--cgi-max",
    "4",
  ]);
  const port = spidey.port;
  // Warm up every path once, so what is measured is the uploads.
  await timedHello(port);
  const warm = await rawRequest(
    port,
    "POST /cgi-bin/sink.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
      "Content-Length: 5\r\n\r\nhello",
  );
  assert.equal(warm.text, "got 5");
  await sleep(200);
  const before = rssOf(spidey.child.pid);

  const total = 9 * 1024 * 1024;
  const sent = new Uint8Array(8 * 1024 * 1024).fill(120);
  const conns: Deno.Conn[] = [];
  const sends: Promise<void>[] = [];
  try {
    for (const path of ["/hello.txt", "/cgi-bin/sink.sh"]) {
      const method = path === "/hello.txt" ? "GET" : "POST";
      for (let i = 0; i < 100; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conns.push(conn);
        const head = encoder.encode(
          `${method} ${path} HTTP/1.1\r\nHost: h\r\nContent-Length: ${total}\r\n\r\n`,
        );
        // One shared buffer for every upload: the test's own memory stays low.
        sends.push(sendQuietly(conn, head, sent));
      }
    }
    // Bounded: the uploads stall (every client holds back its last MiB)
    // and are measured while they do.
    await Promise.race([Promise.all(sends), sleep(6000)]);
    await sleep(1000);
    const grown = rssOf(spidey.child.pid) - before;
    assert.ok(
      grown < 100 * 1024 * 1024,
      `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`,
    );
    const ms = await timedHello(port);
    assert.ok(ms < 2000, `a static request took ${ms.toFixed(0)} ms`);
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed by the server */ }
    }
  }
  await Promise.all(sends);
  // Still healthy once they are gone.
  await timedHello(port);
  assert.ok(!/panic|uncaught/i.test(spidey.stderr()), spidey.stderr());
});

Deno.test("spidey answers 408 to a body sent too slowly or not at all", async (t) => {
  await using docroot = await tempDocroot(SCRIPTS);
  await using spidey = await serveFolder(docroot.path, [
    "-v",
    "--body-timeout",
    "1",
  ]);
  const port = spidey.port;

  /**
   * Sends `head`, then one byte of the body every `everyMs` until the
   * server answers; returns the answer, the bytes sent and the time taken.
   */
  async function trickle(head: string, everyMs: number) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const started = performance.now();
    let sent = 0;
    let answered = false;
    const chunks: Uint8Array[] = [];
    const reading = (async () => {
      const buf = new Uint8Array(65536);
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          answered = true;
          chunks.push(buf.slice(0, n));
        }
      } catch { /* reset */ }
    })();
    try {
      await conn.write(encoder.encode(head));
      while (!answered && performance.now() - started < 8000) {
        if (everyMs > 0) {
          await conn.write(encoder.encode("x")).catch(() => 0);
          sent++;
        }
        await sleep(everyMs > 0 ? everyMs : 100);
      }
      await Promise.race([reading, sleep(3000)]);
    } finally {
      conn.close();
    }
    await reading;
    const ms = performance.now() - started;
    return { res: parseResponses(concat(chunks))[0], sent, ms };
  }

  for (
    const [what, head] of [
      [
        "to a CGI script",
        "POST /cgi-bin/sink.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n",
      ],
      [
        "to a static file",
        "GET /hello.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n",
      ],
      [
        "chunked",
        "POST /cgi-bin/sink.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n",
      ],
    ] as const
  ) {
    await t.step(`trickled below 500 bytes/s ${what}: 408`, async () => {
      const { res, sent, ms } = await trickle(head, 50);
      assert.ok(res !== undefined, "an answer");
      assert.equal(res.status, 408);
      assert.equal(res.headers.get("connection"), "close");
      // 20 bytes/s: the grace second, then the rate allows 20/500 s more.
      assert.ok(ms > 900 && ms < 4000, `answered after ${ms.toFixed(0)} ms`);
      assert.ok(sent >= 10, `${sent} bytes sent`);
    });
  }

  await t.step("a body that stalls: 408 after the timeout", async () => {
    const { res, ms } = await trickle(
      "POST /cgi-bin/sink.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
      0,
    );
    assert.equal(res?.status, 408);
    assert.ok(ms > 900 && ms < 4000, `answered after ${ms.toFixed(0)} ms`);
    await spidey.waitForLog("Refused: Request body arrived too slowly");
  });

  await t.step("a body fast enough is not refused", async () => {
    const body = new Uint8Array(200_000).fill(65);
    const res = parseResponses(
      await rawExchange(
        port,
        concat([
          encoder.encode(
            "POST /cgi-bin/sink.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
              `Content-Length: ${body.length}\r\n\r\n`,
          ),
          body,
        ]),
      ),
    )[0]!;
    assert.equal(res.status, 200);
    assert.equal(res.text, `got ${body.length}`);
  });
});

Deno.test("spidey streams bodies to CGI scripts whole, and drops bodies nobody takes", async (t) => {
  await using docroot = await tempDocroot(SCRIPTS);
  await using spidey = await serveFolder(docroot.path);
  const port = spidey.port;
  const body = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) % 251);

  /** POSTs `chunks` to echo.sh, chunked or with a length. */
  async function echo(chunks: Uint8Array[], chunked: boolean) {
    const parts: Uint8Array[] = [];
    const length = chunks.reduce((n, c) => n + c.length, 0);
    parts.push(encoder.encode(
      "POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
        (chunked
          ? "Transfer-Encoding: chunked\r\n\r\n"
          : `Content-Length: ${length}\r\n\r\n`),
    ));
    for (const c of chunks) {
      if (chunked) {
        parts.push(encoder.encode(c.length.toString(16) + "\r\n"));
        parts.push(c, encoder.encode("\r\n"));
      } else parts.push(c);
    }
    if (chunked) parts.push(encoder.encode("0\r\n\r\n"));
    return parseResponses(
      await rawExchange(port, concat(parts), { timeoutMs: 30_000 }),
    )[0]!;
  }

  await t.step("a 5 MiB body with a length", async () => {
    const res = await echo([body], false);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-length"), String(body.length));
    assert.deepEqual(res.body, body);
  });

  await t.step("a 5 MiB chunked body (gathered in a file first)", async () => {
    const chunks: Uint8Array[] = [];
    for (let off = 0; off < body.length; off += 100_000) {
      chunks.push(body.subarray(off, off + 100_000));
    }
    const res = await echo(chunks, true);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-length"), String(body.length));
    assert.deepEqual(res.body, body);
  });

  await t.step("a small chunked body (gathered in memory)", async () => {
    const res = await echo(
      [body.subarray(0, 10), body.subarray(10, 300)],
      true,
    );
    assert.equal(res.headers.get("x-length"), "300");
    assert.deepEqual(res.body, body.subarray(0, 300));
  });

  await t.step(
    "a large body to a static file: answered, then the connection closes",
    async () => {
      const bytes = await rawExchange(
        port,
        concat([
          encoder.encode(
            `GET /hello.txt HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n`,
          ),
          body,
          encoder.encode(get("/hello.txt")),
        ]),
        { timeoutMs: 10_000 },
      );
      const all = parseResponses(bytes);
      assert.equal(all.length, 1, "the pipelined request is not answered");
      assert.equal(all[0]!.status, 200);
      assert.equal(all[0]!.text, "hello\n");
      assert.equal(all[0]!.headers.get("connection"), "close");
    },
  );

  await t.step(
    "Expect: 100-continue with a large body nobody takes: no 100, a closing answer",
    async () => {
      const text = decoder.decode(
        await rawExchange(
          port,
          "GET /hello.txt HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n" +
            "Content-Length: 1000000\r\n\r\n",
        ),
      );
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(text, /\r\nConnection: close\r\n/i);
    },
  );

  await t.step(
    "Expect: 100-continue to a CGI script: 100, then the body is read",
    async () => {
      const res = await sendBodyAfterContinue(
        port,
        "POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n" +
          "Content-Length: 4\r\nConnection: close\r\n\r\n",
        "BODY",
      );
      assert.equal(res.status, 200);
      assert.equal(res.text, "BODY");
    },
  );

  await t.step(
    "a script that stops reading early answers while the client still sends",
    async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(encoder.encode(
          "POST /cgi-bin/head.sh HTTP/1.1\r\nHost: h\r\n" +
            "Content-Length: 300000\r\n\r\n",
        ));
        const piece = new Uint8Array(20_000).fill(66);
        const chunks: Uint8Array[] = [];
        const reading = (async () => {
          const buf = new Uint8Array(65536);
          try {
            for (;;) {
              const n = await conn.read(buf);
              if (n === null) return;
              chunks.push(buf.slice(0, n));
            }
          } catch { /* reset */ }
        })();
        for (let i = 0; i < 15; i++) {
          await conn.write(piece).catch(() => 0);
          await sleep(40);
        }
        await Promise.race([reading, sleep(5000)]);
        const res = parseResponses(concat(chunks))[0]!;
        assert.equal(res.status, 200);
        assert.equal(res.text, "read 10");
      } finally {
        conn.close();
      }
      assert.equal(
        /error|uncaught|busy/i.test(spidey.stderr()),
        false,
        spidey.stderr(),
      );
    },
  );

  await t.step(
    "a small body a script does not read is dropped and the connection goes on",
    async () => {
      const bytes = await rawExchange(
        port,
        "POST /cgi-bin/sink.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" +
          "GET /hello.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nHELLO" +
          get("/hello.txt"),
      );
      const all = parseResponses(bytes);
      assert.deepEqual(all.map((r) => r.status), [200, 200, 200]);
      assert.equal(all[0]!.text, "got 3");
    },
  );
});
