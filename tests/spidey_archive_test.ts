/**
 * Folder downloads against a real spidey on loopback: off unless
 * --archives; `?download=tar.gz` and `?download=zip` stream the folder
 * (chunked on HTTP/1.1, close-delimited on 1.0) and extract to exactly
 * its files, without dotfiles or symlinks that lead outside the root.
 */

import assert from "node:assert/strict";
import { tempDocroot } from "./helpers/cgi_scripts.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { readTree, run } from "./helpers/archive_trees.ts";
import { serveFolder, serveQuietly } from "./helpers/spidey_process.ts";
import { eventually } from "./helpers/eventually.ts";
import { MAX_ARCHIVES } from "../lib/server/archive/archive.ts";

const encoder = new TextEncoder();

Deno.test("spidey offers no archives unless --archives", async () => {
  await using docroot = await tempDocroot({ "a.txt": "a\n" });
  await using spidey = await serveQuietly(docroot.path);
  const res = await rawRequest(spidey.port, get("/?download=zip"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /text\/html/);
  assert.doesNotMatch(res.text, /download=zip/);
});

Deno.test("spidey --archives streams folders as tar.gz and zip", async (t) => {
  await using docroot = await tempDocroot({
    "photos/a.txt": "hello\n",
    "photos/deep/b.bin": "b".repeat(100_000),
    "photos/été.txt": "unicode\n",
    "photos/.secret": "hidden\n",
    "photos/.git/config": "hidden\n",
    "photos/deep/empty/.keep": "",
  });
  const outside = await Deno.makeTempDir();
  const work = await Deno.makeTempDir();
  await Deno.writeTextFile(`${outside}/leak.txt`, "outside\n");
  Deno.symlinkSync(outside, `${docroot.path}/photos/out-dir`);
  Deno.symlinkSync(`${outside}/leak.txt`, `${docroot.path}/photos/out-file`);
  Deno.symlinkSync(
    `${docroot.path}/photos/a.txt`,
    `${docroot.path}/photos/in-link`,
  );
  Deno.symlinkSync(
    `${docroot.path}/photos`,
    `${docroot.path}/photos/deep/loop`,
  );
  await using spidey = await serveFolder(docroot.path, ["-q", "--archives"]);
  const expected = {
    "photos/a.txt": encoder.encode("hello\n"),
    "photos/deep/b.bin": encoder.encode("b".repeat(100_000)),
    "photos/été.txt": encoder.encode("unicode\n"),
    "photos/in-link": encoder.encode("hello\n"),
  };
  try {
    await t.step("the listing links both downloads", async () => {
      const page = await rawRequest(spidey.port, get("/photos/"));
      assert.match(page.text, /href="\?download=tar\.gz"/);
      assert.match(page.text, /href="\?download=zip"/);
    });

    await t.step(
      "tar.gz: chunked, attachment, extracts to the files",
      async () => {
        const res = await rawRequest(
          spidey.port,
          get("/photos/?download=tar.gz"),
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("transfer-encoding"), "chunked");
        assert.equal(res.headers.get("content-type"), "application/gzip");
        assert.equal(
          res.headers.get("content-disposition"),
          `attachment; filename="photos.tar.gz"; filename*=UTF-8''photos.tar.gz`,
        );
        await Deno.writeFile(`${work}/p.tar.gz`, res.body);
        await Deno.mkdir(`${work}/t`);
        await run("tar", ["-xzf", `${work}/p.tar.gz`, "-C", `${work}/t`]);
        assert.deepEqual(await readTree(`${work}/t`), expected);
        assert.ok((await Deno.stat(`${work}/t/photos/deep/empty`)).isDirectory);
      },
    );

    await t.step(
      "zip over HTTP/1.0: close-delimited, extracts the same",
      async () => {
        const res = await rawRequest(
          spidey.port,
          "GET /photos/?download=zip HTTP/1.0\r\nHost: localhost\r\n\r\n",
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("transfer-encoding"), undefined);
        assert.equal(res.headers.get("content-type"), "application/zip");
        await Deno.writeFile(`${work}/p.zip`, res.body);
        await run("python3", ["-m", "zipfile", "-t", `${work}/p.zip`]);
        await Deno.mkdir(`${work}/z`);
        await run("unzip", ["-q", `${work}/p.zip`, "-d", `${work}/z`]);
        assert.deepEqual(await readTree(`${work}/z`), expected);
      },
    );

    await t.step("a folder outside the root is not archived", async () => {
      const res = await rawRequest(
        spidey.port,
        get("/photos/out-dir/?download=zip"),
      );
      assert.equal(res.status, 403);
    });

    await t.step("HEAD answers the head only", async () => {
      const res = await rawRequest(
        spidey.port,
        "HEAD /photos/?download=zip HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 0);
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("spidey --archives leaves executable files out", async () => {
  await using docroot = await tempDocroot({
    "site/a.txt": "a\n",
    "site/run.cgi": { content: "#!/bin/sh\necho secret-source\n", mode: 0o755 },
    "site/deep/tool.sh": {
      content: "#!/bin/sh\necho deep-source\n",
      mode: 0o700,
    },
  });
  const work = await Deno.makeTempDir();
  await using spidey = await serveQuietly(docroot.path, ["--archives"]);
  try {
    const res = await rawRequest(spidey.port, get("/site/?download=tar.gz"));
    assert.equal(res.status, 200);
    await Deno.writeFile(`${work}/s.tar.gz`, res.body);
    await run("tar", ["-xzf", `${work}/s.tar.gz`, "-C", work]);
    assert.deepEqual(Object.keys(await readTree(`${work}/site`)), ["a.txt"]);
    const zip = await rawRequest(spidey.port, get("/site/?download=zip"));
    assert.ok(
      !new TextDecoder("latin1").decode(zip.body).includes("-source"),
      "no script's source in the zip",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("spidey --archives: requests past the limit get 503 with Retry-After", async () => {
  await using docroot = await tempDocroot({ "big/zeros.bin": "" });
  // Sparse: costs no disk, and more than the socket buffers take.
  await Deno.truncate(`${docroot.path}/big/zeros.bin`, 256 * 1024 * 1024);
  await using spidey = await serveFolder(docroot.path, ["-q", "--archives"]);
  const readers: Deno.Conn[] = [];
  try {
    // Each takes a slot and then stalls: its client reads only the head.
    for (let i = 0; i < MAX_ARCHIVES; i++) {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: spidey.port,
      });
      readers.push(conn);
      await conn.write(encoder.encode(get("/big/?download=zip")));
      const buf = new Uint8Array(64);
      assert.ok((await conn.read(buf) ?? 0) > 0);
      assert.match(new TextDecoder().decode(buf), /^HTTP\/1\.1 200 /);
    }
    const refused = await rawRequest(spidey.port, get("/big/?download=zip"));
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    // A listing is no archive: still served.
    assert.equal((await rawRequest(spidey.port, get("/big/"))).status, 200);
    // A slot comes back when its client leaves.
    readers.pop()!.close();
    await eventually("a slot is free again", async () => {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: spidey.port,
      });
      try {
        await conn.write(encoder.encode(get("/big/?download=zip")));
        const buf = new Uint8Array(64);
        await conn.read(buf);
        return new TextDecoder().decode(buf).startsWith("HTTP/1.1 200 ");
      } finally {
        conn.close();
      }
    });
  } finally {
    for (const conn of readers) conn.close();
  }
});
