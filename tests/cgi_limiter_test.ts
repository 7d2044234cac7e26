/**
 * The CGI script slots: the limiter alone, then through a real spidey: a
 * full queue gets 503 with Retry-After, and waiting in the queue does not
 * count against a script's timeout.
 */

import assert from "node:assert/strict";
import { CgiLimiter } from "../lib/server/cgi/limiter.ts";
import {
  CGI_QUEUE_PER_SCRIPT,
  CGI_RETRY_AFTER,
} from "../lib/server/cgi/cgi.ts";
import { shScript as sh, tempDocroot } from "./helpers/cgi_scripts.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("CgiLimiter runs up to its slots, queues in order, refuses past the queue", async () => {
  const limiter = new CgiLimiter(2, 2);
  const a = await limiter.acquire(10_000);
  const b = await limiter.acquire(10_000);
  assert.ok(a !== null && b !== null);
  assert.equal(limiter.running, 2);
  const order: string[] = [];
  const c = limiter.acquire(10_000).then((r) => {
    order.push("c");
    return r;
  });
  const d = limiter.acquire(10_000).then((r) => {
    order.push("d");
    return r;
  });
  assert.equal(limiter.waiting, 2);
  assert.equal(await limiter.acquire(10_000), null, "the queue is full");
  a();
  a(); // A second release gives nothing back.
  const releaseC = await c;
  assert.ok(releaseC !== null);
  assert.deepEqual(order, ["c"]);
  assert.equal(limiter.running, 2);
  b();
  const releaseD = await d;
  assert.ok(releaseD !== null);
  assert.deepEqual(order, ["c", "d"]);
  releaseC();
  releaseD();
  assert.equal(limiter.running, 0);
  assert.equal(limiter.waiting, 0);
});

Deno.test("CgiLimiter gives up on a wait that lasts too long", async () => {
  const limiter = new CgiLimiter(1, 5);
  const held = await limiter.acquire(1000);
  const started = performance.now();
  assert.equal(await limiter.acquire(50), null);
  assert.ok(performance.now() - started >= 45);
  assert.equal(limiter.waiting, 0, "the waiter left the queue");
  held!();
  const next = await limiter.acquire(50);
  assert.ok(next !== null);
  next();
});

Deno.test("CgiLimiter drops a waiter whose client left", async () => {
  const limiter = new CgiLimiter(1, 5);
  const held = await limiter.acquire(10_000);
  const left = new AbortController();
  const waiting = limiter.acquire(10_000, () => left.signal);
  const stays = limiter.acquire(10_000);
  assert.equal(limiter.waiting, 2);
  left.abort();
  assert.equal(await waiting, null, "answered null at once");
  assert.equal(limiter.waiting, 1, "the waiter left the queue");
  held!();
  const next = await stays;
  assert.ok(next !== null, "the slot goes to the next waiter");
  assert.equal(limiter.running, 1);
  const gone = new AbortController();
  gone.abort();
  assert.equal(await limiter.acquire(10_000, () => gone.signal), null);
  assert.equal(limiter.waiting, 0, "no place queued for a client long gone");
  next();
  let asked = false;
  const free = await limiter.acquire(10_000, () => {
    asked = true;
    return gone.signal;
  });
  assert.ok(free !== null);
  assert.equal(asked, false, "a free slot does not watch the client");
  free();
});

Deno.test("spidey: a full CGI queue gets 503 with Retry-After", async () => {
  await using docroot = await tempDocroot({
    "cgi-bin/gated.sh": sh(
      `i=0\nwhile [ ! -e "$DOCUMENT_ROOT/gate" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done\n` +
        `printf 'Content-Type: text/plain\\n\\nran'\n`,
    ),
  });
  await using spidey = await serveFolder(docroot.path, [
    "-q",
    "--cgi-max",
    "1",
  ]);
  const room = 1 + CGI_QUEUE_PER_SCRIPT;
  const extra = 4;
  const early: number[] = [];
  const answers = Array.from(
    { length: room + extra },
    () =>
      rawRequest(spidey.port, get("/cgi-bin/gated.sh"), { timeoutMs: 30_000 })
        .then((r) => {
          early.push(r.status);
          return r;
        }),
  );
  // The ones past the queue are answered at once, while the gate is shut.
  const deadline = Date.now() + 5000;
  while (early.length < extra && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(early, Array(extra).fill(503));
  await Deno.writeTextFile(`${docroot.path}/gate`, "");
  const all = await Promise.all(answers);
  const busy = all.filter((r) => r.status === 503);
  assert.equal(busy.length, extra);
  for (const r of busy) {
    assert.equal(r.headers.get("retry-after"), CGI_RETRY_AFTER);
    assert.match(r.text, /503/);
  }
  const ran = all.filter((r) => r.status === 200);
  assert.equal(ran.length, room);
  assert.ok(ran.every((r) => r.text === "ran"));
});

Deno.test("spidey: a script's timeout runs from its spawn, not from the queue", async () => {
  await using docroot = await tempDocroot({
    "cgi-bin/second.sh": sh(
      `sleep 1\nprintf 'Content-Type: text/plain\\n\\ndone'\n`,
    ),
  });
  await using spidey = await serveFolder(docroot.path, [
    "-q",
    "--cgi-max",
    "1",
    "--cgi-timeout",
    "2.5",
  ]);
  // One at a time, a second each: the third waits about 2 s, then runs
  // 1 s, so it answers about 3 s after it was sent, past the 2.5 s limit.
  const started = performance.now();
  const all = await Promise.all(
    [1, 2, 3].map(() =>
      rawRequest(spidey.port, get("/cgi-bin/second.sh"), {
        timeoutMs: 20_000,
      })
    ),
  );
  const took = performance.now() - started;
  assert.deepEqual(all.map((r) => r.status), [200, 200, 200]);
  assert.ok(all.every((r) => r.text === "done"));
  assert.ok(took > 2500, `the three took ${took.toFixed(0)} ms`);
});

Deno.test("spidey: no script runs for a queued client that hung up", async () => {
  await using docroot = await tempDocroot({
    "cgi-bin/mark.sh": sh(
      `touch "$DOCUMENT_ROOT/ran-$QUERY_STRING"\n` +
        `i=0\nwhile [ ! -e "$DOCUMENT_ROOT/gate" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done\n` +
        `printf 'Content-Type: text/plain\\n\\nran'\n`,
    ),
  });
  const root = docroot.path;
  await using spidey = await serveFolder(root, ["-q", "--cgi-max", "1"]);
  const exists = (name: string) =>
    Deno.stat(`${root}/${name}`).then(() => true, () => false);
  const first = rawRequest(spidey.port, get("/cgi-bin/mark.sh?a"), {
    timeoutMs: 20_000,
  });
  for (let i = 0; i < 100 && !await exists("ran-a"); i++) await sleep(50);
  assert.ok(await exists("ran-a"), "the first script holds the slot");
  // The second waits in the queue, then its client hangs up.
  const quitter = await Deno.connect({
    hostname: "127.0.0.1",
    port: spidey.port,
  });
  await quitter.write(new TextEncoder().encode(get("/cgi-bin/mark.sh?b")));
  await sleep(300);
  quitter.close();
  await sleep(300);
  await Deno.writeTextFile(`${root}/gate`, "");
  assert.equal((await first).status, 200);
  const third = await rawRequest(spidey.port, get("/cgi-bin/mark.sh?c"), {
    timeoutMs: 20_000,
  });
  assert.equal(third.status, 200, "the slot was not lost");
  assert.equal(await exists("ran-b"), false, "no script ran for the quitter");
});
