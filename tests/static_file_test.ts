/**
 * Static files through real spidey processes on raw TCP: types, headers,
 * HEAD, validators and 304/412, single ranges, unreadable files.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exchange, request, tempDocroot } from "./helpers/static_files.ts";
import {
  parseResponses,
  rawExchange,
  rawRequest,
  type RawResponse,
} from "./helpers/raw_http.ts";
import { denoRunArgs, serveFolder } from "./helpers/spidey_process.ts";

const encoder = new TextEncoder();

/** Headers that belong to the representation (all but the per-response ones). */
function representationHeaders(res: RawResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of res.headers) {
    if (k === "date") continue;
    // A file settles a few seconds after it was written and its ETag turns
    // from weak to strong then; a slow machine may cross that moment
    // between two requests, which is not a difference between GET and HEAD.
    out[k] = k === "etag" ? v.replace(/^W\//, "") : v;
  }
  return out;
}

const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);
Deno.test("spidey sends files with type, length and validators", async (t) => {
  await using docroot = await tempDocroot({
    "hello.txt": "hello world\n",
    "page.html": "<!DOCTYPE html><title>x</title>\n",
    "style.css": "body{color:red}\n",
    "app.js": "console.log(1);\n",
    "data.json": '{"a":1}\n',
    "image.png": PNG,
    "blob.qqqzz": "unknown\n",
    "README": "no extension\n",
    "sub/index.html": "<p>index</p>\n",
  });
  const root = docroot.path;
  await using spidey = await serveFolder(root, ["-q"]);
  const cases: Array<[string, string, string | Uint8Array]> = [
    ["/hello.txt", "text/plain; charset=utf-8", "hello world\n"],
    [
      "/page.html",
      "text/html; charset=utf-8",
      "<!DOCTYPE html><title>x</title>\n",
    ],
    ["/style.css", "text/css; charset=utf-8", "body{color:red}\n"],
    ["/app.js", "text/javascript; charset=utf-8", "console.log(1);\n"],
    ["/data.json", "application/json; charset=utf-8", '{"a":1}\n'],
    ["/image.png", "image/png", PNG],
    ["/blob.qqqzz", "application/octet-stream", "unknown\n"],
    ["/README", "application/octet-stream", "no extension\n"],
    ["/sub/", "text/html; charset=utf-8", "<p>index</p>\n"],
  ];

  await t.step("content types, lengths, validators", async () => {
    for (const [path, type, content] of cases) {
      const expected = typeof content === "string"
        ? encoder.encode(content)
        : content;
      const res = await rawRequest(spidey.port, request("GET", path));
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), type, path);
      assert.equal(res.headers.get("content-length"), String(expected.length));
      assert.deepEqual(res.body, expected, path);
      assert.equal(res.headers.get("accept-ranges"), "bytes", path);
      assert.match(res.headers.get("etag") ?? "", /^(W\/)?"[^"]+"$/, path);
      const lastModified = res.headers.get("last-modified") ?? "";
      assert.match(
        lastModified,
        /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
      );
      assert.ok(Date.parse(lastModified) <= Date.now(), path);
    }
  });

  await t.step("HEAD has the same headers as GET and no body", async () => {
    for (const [path] of cases) {
      const got = await rawRequest(spidey.port, request("GET", path));
      const { head, rest } = await exchange(spidey.port, request("HEAD", path));
      assert.equal(rest.length, 0, `HEAD ${path} sent a body`);
      const [headRes] = parseResponses(encoder.encode(`${head}\r\n\r\n`), [
        "HEAD",
      ]);
      assert.ok(headRes);
      assert.equal(headRes.status, 200);
      assert.deepEqual(
        representationHeaders(headRes),
        representationHeaders(got),
      );
    }
  });

  await t.step("keep-alive: several files on one connection", async () => {
    const raw = [
      "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
      "HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /hello.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-4\r\n\r\n",
      "GET /data.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ].join("");
    const responses = parseResponses(await rawExchange(spidey.port, raw), [
      "GET",
      "HEAD",
      "GET",
      "GET",
    ]);
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 206, 200]);
    assert.equal(responses[0]?.text, "hello world\n");
    assert.equal(responses[2]?.text, "hello");
    assert.equal(responses[3]?.text, '{"a":1}\n');
  });
});

Deno.test("spidey answers conditional requests with 304 or 412", async (t) => {
  await using docroot = await tempDocroot({
    "file.txt": "some content\n",
    "future.txt": "from the future\n",
  });
  const root = docroot.path;
  await using spidey = await serveFolder(root, ["-q"]);
  const first = await rawRequest(spidey.port, request("GET", "/file.txt"));
  const etag = first.headers.get("etag")!;
  const lastModified = first.headers.get("last-modified")!;
  const opaque = etag.replace(/^W\//, "");
  const status = async (extra: string, method = "GET") =>
    (await rawRequest(spidey.port, request(method, "/file.txt", extra))).status;

  await t.step("If-None-Match: 304 with validators and no body", async () => {
    const { head, rest } = await exchange(
      spidey.port,
      request("GET", "/file.txt", `If-None-Match: ${etag}\r\n`),
    );
    assert.match(head, /^HTTP\/1\.1 304 /);
    assert.equal(rest.length, 0);
    assert.match(
      head,
      // Weak or strong: the file may settle between the two requests.
      new RegExp(`\r\nETag: (W/)?${opaque.replace(/"/g, '\\"')}\r\n`),
    );
    assert.ok(head.includes(`\r\nLast-Modified: ${lastModified}`));
    assert.equal(await status(`If-None-Match: ${etag}\r\n`, "HEAD"), 304);
  });

  await t.step("If-None-Match: weak comparison, lists and *", async () => {
    assert.equal(await status(`If-None-Match: W/${opaque}\r\n`), 304);
    assert.equal(await status(`If-None-Match: ${opaque}\r\n`), 304);
    assert.equal(await status(`If-None-Match: "x", ${etag} , "y"\r\n`), 304);
    assert.equal(await status("If-None-Match: *\r\n"), 304);
    assert.equal(await status('If-None-Match: "nope"\r\n'), 200);
    assert.equal(await status("If-None-Match: garbage\r\n"), 200);
  });

  await t.step("a file changed moments ago gets no 304 by date", async () => {
    // A modification time ahead of the clock keeps the file "just changed"
    // however slow this machine is (see tests/static_file_changes_test.ts
    // for the 304 of a settled file): only the entity tag can confirm it.
    const ahead = new Date(Date.now() + 3_600_000);
    Deno.utimeSync(`${root}/future.txt`, ahead, ahead);
    const fresh = await rawRequest(spidey.port, request("GET", "/future.txt"));
    const freshTag = fresh.headers.get("etag")!;
    const freshDate = fresh.headers.get("last-modified")!;
    assert.match(freshTag, /^W\//);
    assert.ok(Date.parse(freshDate) <= Date.now(), "never dated in the future");
    const ask = async (extra: string) =>
      (await rawRequest(spidey.port, request("GET", "/future.txt", extra)))
        .status;
    assert.equal(await ask(`If-Modified-Since: ${freshDate}\r\n`), 200);
    assert.equal(await ask(`If-None-Match: ${freshTag}\r\n`), 304);
  });

  await t.step("bad and huge dates are ignored, not fatal", async () => {
    for (
      const date of [
        "garbage",
        "Tue, 99 Foo 2024 03:04:05 GMT",
        "Fri, 31 Dec 99999999 23:59:59 GMT",
        "Sat, 01 Jan 275761 00:00:00 GMT",
        "-1",
        "9".repeat(300),
      ]
    ) {
      assert.equal(await status(`If-Modified-Since: ${date}\r\n`), 200, date);
      assert.equal(await status(`If-Unmodified-Since: ${date}\r\n`), 200);
      assert.equal(
        await status(`If-Range: ${date}\r\nRange: bytes=0-1\r\n`),
        200,
      );
    }
    // Still serving after all of that.
    assert.equal(await status(""), 200);
  });

  await t.step("If-Match and If-Unmodified-Since fail with 412", async () => {
    assert.equal(await status('If-Match: "nope"\r\n'), 412);
    assert.equal(await status("If-Match: *\r\n"), 200);
    assert.equal(
      await status("If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n"),
      412,
    );
  });
});

Deno.test("spidey serves single byte ranges", async (t) => {
  await using docroot = await tempDocroot({
    "digits.txt": "0123456789",
    "empty.txt": "",
  });
  const root = docroot.path;
  await using spidey = await serveFolder(root, ["-q"]);
  const ranged = (range: string, path = "/digits.txt", method = "GET") =>
    rawRequest(spidey.port, request(method, path, `Range: ${range}\r\n`));

  await t.step("the three forms and clamping give 206", async () => {
    const cases: Array<[string, string, string]> = [
      ["bytes=0-4", "01234", "bytes 0-4/10"],
      ["bytes=-3", "789", "bytes 7-9/10"],
      ["bytes=5-", "56789", "bytes 5-9/10"],
      ["bytes=8-100", "89", "bytes 8-9/10"],
      ["bytes=-100", "0123456789", "bytes 0-9/10"],
      ["bytes=3-3", "3", "bytes 3-3/10"],
    ];
    for (const [range, body, contentRange] of cases) {
      const res = await ranged(range);
      assert.equal(res.status, 206, range);
      assert.equal(res.text, body, range);
      assert.equal(res.headers.get("content-range"), contentRange, range);
      assert.equal(res.headers.get("content-length"), String(body.length));
      assert.equal(
        res.headers.get("content-type"),
        "text/plain; charset=utf-8",
      );
    }
  });

  await t.step("unsatisfiable ranges give 416 with Content-Range", async () => {
    for (const range of ["bytes=10-", "bytes=10-20", "bytes=-0"]) {
      const res = await ranged(range);
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get("content-range"), "bytes */10", range);
      assert.match(res.text, /416/);
    }
  });

  await t.step("several or malformed ranges are ignored: 200", async () => {
    for (
      const range of [
        "bytes=0-1,3-4",
        "bytes=0-1, 20-30",
        "bytes=abc",
        "bytes=5-2",
        "items=0-1",
        "bytes=--1",
      ]
    ) {
      const res = await ranged(range);
      assert.equal(res.status, 200, range);
      assert.equal(res.text, "0123456789", range);
      assert.equal(res.headers.get("content-range"), undefined, range);
    }
  });

  await t.step("HEAD ignores Range", async () => {
    const res = await ranged("bytes=0-4", "/digits.txt", "HEAD");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "10");
  });

  await t.step(
    "an empty file: 416 for a position, 200 for a suffix",
    async () => {
      const fromZero = await ranged("bytes=0-", "/empty.txt");
      assert.equal(fromZero.status, 416);
      assert.equal(fromZero.headers.get("content-range"), "bytes */0");
      const suffix = await ranged("bytes=-5", "/empty.txt");
      assert.equal(suffix.status, 200);
      assert.equal(suffix.headers.get("content-length"), "0");
      assert.equal(suffix.body.length, 0);
    },
  );
});

/** Starts spidey in a new user namespace, where root's files are not root's. */
async function startUnprivilegedSpidey(
  args: string[],
): Promise<{ port: number; stop(): Promise<void> } | null> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("unshare", {
      args: ["-U", Deno.execPath(), ...denoRunArgs("spidey.ts", args)],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch {
    return null;
  }
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
  };
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 15_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
      const m = /Listening on \S+:(\d+)/.exec(log);
      if (m) {
        // Keep draining stderr so the child never blocks on it.
        (async () => {
          while (!(await reader.read()).done) { /* drain */ }
        })();
        return { port: Number(m[1]), stop };
      }
    }
  } finally {
    clearTimeout(timer);
  }
  await stop();
  return null;
}

Deno.test("spidey answers 403 for files it cannot read", async () => {
  await using docroot = await tempDocroot({
    "secret.txt": { content: "secret\n", mode: 0o000 },
    "open.txt": "open\n",
  });
  const root = docroot.path;
  const fifo = new Deno.Command("mkfifo", { args: [`${root}/pipe`] });
  const madeFifo = await fifo.output().then((o) => o.success, () => false);
  if (madeFifo) {
    await using spidey = await serveFolder(root, ["-q"]);
    const res = await rawRequest(spidey.port, request("GET", "/pipe"));
    assert.equal(res.status, 403, "a FIFO is no file to serve");
  }

  if (Deno.uid() !== 0) {
    await using spidey = await serveFolder(root, ["-q"]);
    const res = await rawRequest(spidey.port, request("GET", "/secret.txt"));
    assert.equal(res.status, 403);
    assert.match(res.text, /403/);
    return;
  }
  // Root reads anything; in a user namespace of its own it is "nobody" to
  // root-owned files, so mode 000 bites again.
  const spidey = await startUnprivilegedSpidey([
    "-p",
    "0",
    "-d",
    root,
    "-f",
    "-q",
  ]);
  if (spidey === null) {
    console.warn(
      "Skipped the mode 000 check: running as root and `unshare -U` is " +
        "unavailable, so no file is unreadable here.",
    );
    return;
  }
  try {
    const res = await rawRequest(spidey.port, request("GET", "/secret.txt"));
    assert.equal(res.status, 403);
    assert.match(res.text, /403/);
    assert.ok(!res.text.includes("secret\n"));
    const open = await rawRequest(spidey.port, request("GET", "/open.txt"));
    assert.equal(open.status, 200);
    assert.equal(open.text, "open\n");
  } finally {
    await spidey.stop();
  }
});
