import assert from "node:assert/strict";
import { loadRunFor } from "./helpers/load_runs.ts";
import { DumpWriter } from "../lib/thor/dump.ts";
import type { LoadRun } from "../lib/thor/load.ts";
import {
  type ConnectionScript,
  type ScriptedConnection,
  startScriptedServer,
} from "./helpers/scripted_server.ts";
import { denoRunArgs } from "./helpers/spidey_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const PIECE = 32768;
// One chunk of PIECE "x" bytes, framed.
const CHUNK = encoder.encode(
  `${PIECE.toString(16)}\r\n${"x".repeat(PIECE)}\r\n`,
);

/**
 * Answers the first request with a chunked body that never ends, at most
 * `mbPerSecond`: fast enough that buffering it whole would pass 100 MB
 * within the tests' 2 s timeout.
 */
function endlessBody(mbPerSecond: number): ConnectionScript {
  const perTick = Math.round(mbPerSecond * 1e6 / 200 / PIECE);
  return async (c) => {
    await c.readRequest();
    try {
      await writeAll(c, encoder.encode(CHUNKED_HEAD));
      for (;;) {
        for (let i = 0; i < perTick; i++) await writeAll(c, CHUNK);
        await sleep(5);
      }
    } catch { /* thor closed the connection */ }
  };
}

/** Writes every byte, throwing once the client is gone (unlike c.write). */
async function writeAll(c: ScriptedConnection, bytes: Uint8Array) {
  let off = 0;
  while (off < bytes.length) off += await c.conn.write(bytes.subarray(off));
}

/** Resident memory of process `pid` in MB, or null once it is gone. */
async function rssMb(pid: number): Promise<number | null> {
  let status: string;
  try {
    status = await Deno.readTextFile(`/proc/${pid}/status`);
  } catch {
    return null;
  }
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? null : Number(kb) / 1024;
}

/** A thor process under test, its memory sampled every 50 ms. */
class ThorProcess {
  readonly child: Deno.ChildProcess;
  exited = false;
  peakRssMb = 0;
  readonly #sampler: Promise<void>;

  constructor(args: string[], stdout: "piped" | "null") {
    this.child = new Deno.Command(Deno.execPath(), {
      args: denoRunArgs("thor.ts", args),
      stdin: "null",
      stdout,
      stderr: "piped",
    }).spawn();
    const child = this.child;
    child.status.then(() => this.exited = true);
    this.#sampler = (async () => {
      while (!this.exited) {
        const mb = await rssMb(child.pid);
        if (mb !== null) this.peakRssMb = Math.max(this.peakRssMb, mb);
        await sleep(50);
      }
    })();
  }

  /** Waits for the exit; resolves to the status and everything on stderr. */
  async finish(): Promise<{ code: number; stderr: string }> {
    const [status, stderr] = await Promise.all([
      this.child.status,
      new Response(this.child.stderr).text(),
      this.#sampler,
    ]);
    return { code: status.code, stderr };
  }
}

Deno.test("-o writes an endless body as it arrives, in constant memory, until the timeout", async () => {
  // Not faster: the file gets all of it.
  await using server = startScriptedServer(endlessBody(50));
  const path = await Deno.makeTempFile();
  try {
    const thor = new ThorProcess([
      "--timeout",
      "2",
      "-o",
      path,
      `http://127.0.0.1:${server.port}/`,
    ], "null");
    let sizeWhileRunning = 0;
    while (!thor.exited) {
      sizeWhileRunning = (await Deno.stat(path)).size;
      await sleep(100);
    }
    const { code, stderr } = await thor.finish();
    assert.equal(code, 1);
    assert.equal(
      stderr,
      "thor: 1 of 1 requests failed; last (timeout): Request timed out " +
        "after 2 s while reading the response body\n",
    );
    assert.ok(sizeWhileRunning > 1_000_000, `${sizeWhileRunning} bytes`);
    assert.ok(thor.peakRssMb > 0, "memory was sampled");
    assert.ok(thor.peakRssMb < 100, `peak RSS ${thor.peakRssMb} MB`);
    // Body bytes only: no head, no chunk framing.
    using file = await Deno.open(path);
    const start = new Uint8Array(200_000);
    let got = 0;
    while (got < start.length) {
      const n = await file.read(start.subarray(got));
      if (n === null) break;
      got += n;
    }
    assert.equal(got, start.length);
    assert.ok(start.every((b) => b === 120), "only x bytes");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("the dump of an endless body waits for a slow stdout, then times out in words", async () => {
  await using server = startScriptedServer(endlessBody(150));
  const thor = new ThorProcess([
    "--timeout",
    "2",
    `http://127.0.0.1:${server.port}/`,
  ], "piped");
  // Nobody reads stdout for a while: thor must stop reading the socket,
  // not gather what it cannot write.
  await sleep(1200);
  const rssWhileBlocked = thor.peakRssMb;
  let bytesWhileRunning = 0;
  let total = 0;
  let start = new Uint8Array(0);
  for await (const chunk of thor.child.stdout) {
    if (!thor.exited) bytesWhileRunning += chunk.length;
    if (start.length < 4096) {
      const more = new Uint8Array(start.length + chunk.length);
      more.set(start);
      more.set(chunk, start.length);
      start = more;
    }
    total += chunk.length;
  }
  const { code, stderr } = await thor.finish();
  assert.equal(code, 1);
  assert.equal(
    stderr,
    "thor: Request failed (timeout): Request timed out after 2 s while " +
      "reading the response body\n",
  );
  assert.ok(rssWhileBlocked > 0, "memory was sampled");
  assert.ok(rssWhileBlocked < 100, `RSS ${rssWhileBlocked} MB while blocked`);
  assert.ok(thor.peakRssMb < 100, `peak RSS ${thor.peakRssMb} MB`);
  assert.ok(bytesWhileRunning > 0, "bytes reached stdout before the end");
  const text = decoder.decode(start.subarray(0, 4096));
  assert.equal(text.slice(0, CHUNKED_HEAD.length), CHUNKED_HEAD);
  assert.match(text.slice(CHUNKED_HEAD.length), /^x+$/);
  assert.ok(total > 4096, `${total} bytes`);
});

Deno.test("the single-request dump shows what arrived when the body stalls", async () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  await using server = startScriptedServer(async (c) => {
    await c.readRequest();
    await c.write(`${head}first bytes`);
    await c.readRequest(); // stalls until thor gives up
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("thor.ts", [
      "--timeout",
      "0.5",
      `http://127.0.0.1:${server.port}/`,
    ]),
    stdin: "null",
  }).output();
  assert.equal(out.code, 1);
  assert.equal(decoder.decode(out.stdout), `${head}first bytes`);
  assert.equal(
    decoder.decode(out.stderr),
    "thor: Request failed (timeout): Request timed out after 0.5 s while " +
      "reading the response body\n",
  );
});

Deno.test("a large single response is dumped byte for byte", async () => {
  const body = new Uint8Array(300_000).map((_, i) => 97 + (i % 26));
  const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
  await using server = startScriptedServer(async (c) => {
    await c.readRequest();
    await c.write(head);
    for (let off = 0; off < body.length; off += 70_000) {
      await c.write(body.subarray(off, off + 70_000));
      await sleep(5);
    }
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("thor.ts", [`http://127.0.0.1:${server.port}/`]),
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  assert.equal(decoder.decode(out.stderr), "");
  const want = new Uint8Array([...encoder.encode(head), ...body]);
  assert.equal(out.stdout.length, want.length);
  assert.deepEqual(out.stdout, want);
});

/** Runs the load lib in this process, dumping to `dump`. */
async function dumpRun(
  port: number,
  dump: DumpWriter,
  requests: number,
  connections: number,
): Promise<LoadRun> {
  const run = loadRunFor(`http://127.0.0.1:${port}/`, {
    connections,
    requests,
    dump,
  });
  await run.prepare();
  await run.run();
  return run;
}

Deno.test("-o never interleaves concurrent bodies, even long ones", async () => {
  const size = 150_000;
  let served = 0;
  await using server = startScriptedServer(async (c) => {
    while (await c.readRequest() !== null) {
      const body = new Uint8Array(size).fill(97 + served++);
      await c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      // In pieces, so that the three connections' bodies overlap in time.
      for (let off = 0; off < size; off += 40_000) {
        await c.write(body.subarray(off, off + 40_000));
        await sleep(2);
      }
    }
  });
  const path = await Deno.makeTempFile();
  try {
    const dump = DumpWriter.open(path, true);
    const run = await dumpRun(server.port, dump, 6, 3);
    dump.close();
    assert.equal(run.stats.completed, 6);
    const text = await Deno.readTextFile(path);
    assert.equal(text.length, 6 * size);
    const runs = text.match(/(.)\1*/g) ?? [];
    assert.deepEqual(runs.map((r) => r.length), Array(6).fill(size));
    assert.deepEqual(runs.map((r) => r[0]).sort(), [..."abcdef"]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a dump that cannot be written ends the run with its error", async () => {
  await using server = startScriptedServer(async (c) => {
    while (await c.readRequest() !== null) {
      await c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    }
  });
  const dump = DumpWriter.open("/dev/full", true);
  try {
    await assert.rejects(
      dumpRun(server.port, dump, 20, 2),
      /No space left on device/,
    );
  } finally {
    dump.close();
  }
  // Only the requests before the failure were sent.
  assert.ok(server.requests.length < 20, `${server.requests.length} sent`);
});
