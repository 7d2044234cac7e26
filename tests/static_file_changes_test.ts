/**
 * Files changed on disk while a real spidey process serves them: right
 * after being served (racy), and once settled in the cache. spidey learns
 * of changes from file-system events, so each new version is awaited
 * (polled with a deadline) rather than expected on the very next request;
 * what is checked is that it comes, whole, with validators that tell it
 * from the old one.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  pseudoRandomBytes,
  request,
  sha256,
  sleep,
  tempDocroot,
} from "./helpers/static_files.ts";
import { rawRequest } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";
import { eventually } from "./helpers/eventually.ts";

/**
 * How old a file's stat must be before the cache keeps it: the racy
 * window (2 s) plus the second Deno's whole-second ctime may hide.
 */
const SETTLE_MS = 3300;
const OLD_DATE = new Date(Date.UTC(2020, 0, 1));

Deno.test("spidey serves files changed on disk fresh", async (t) => {
  const createdAt = Date.now();
  await using docroot = await tempDocroot({
    "racy.txt": "AAAA\n",
    "aged.txt": "version one\n",
    "aged.bin": pseudoRandomBytes(200_000, 7),
  });
  const root = docroot.path;
  Deno.utimeSync(`${root}/aged.txt`, OLD_DATE, OLD_DATE);
  Deno.utimeSync(`${root}/aged.bin`, OLD_DATE, OLD_DATE);
  await using spidey = await serveFolder(root, ["-q"]);
  const get = (path: string, extra = "") =>
    rawRequest(spidey.port, request("GET", path, extra));

  await t.step("a file rewritten right after it was served", async () => {
    assert.equal((await get("/racy.txt")).text, "AAAA\n");
    Deno.writeTextFileSync(`${root}/racy.txt`, "BBBB\n");
    await eventually(
      "BBBB",
      async () => (await get("/racy.txt")).text === "BBBB\n",
    );
    Deno.writeTextFileSync(`${root}/racy.txt`, "CCCCCC\n");
    await eventually(
      "CCCCCC",
      async () => (await get("/racy.txt")).text === "CCCCCC\n",
    );
  });

  // Let the other files settle, so the cache keeps them.
  const wait = createdAt + SETTLE_MS - Date.now();
  if (wait > 0) await sleep(wait);

  await t.step("If-Modified-Since on a settled file", async () => {
    const lastModified = OLD_DATE.toUTCString();
    const status = async (extra: string) =>
      (await get("/aged.txt", extra)).status;
    assert.equal(await status(`If-Modified-Since: ${lastModified}\r\n`), 304);
    const later = "Tue, 02 Jan 2024 03:04:05 GMT";
    assert.equal(await status(`If-Modified-Since: ${later}\r\n`), 304);
    const earlier = "Tue, 31 Dec 2019 23:59:59 GMT";
    assert.equal(await status(`If-Modified-Since: ${earlier}\r\n`), 200);
    // Ignored next to If-None-Match (RFC 9110 section 13.1.3).
    assert.equal(
      await status(
        `If-None-Match: "nope"\r\nIf-Modified-Since: ${lastModified}\r\n`,
      ),
      200,
    );
    // Dates that Date.parse would take, or could not hold, are ignored.
    for (
      const bad of [
        "2024",
        "-1",
        "garbage",
        "Fri, 31 Dec 99999999 23:59:59 GMT",
        `${lastModified} junk`,
      ]
    ) {
      assert.equal(await status(`If-Modified-Since: ${bad}\r\n`), 200, bad);
    }
  });

  await t.step("a cached file rewritten with the same size", async () => {
    const first = await get("/aged.txt");
    assert.equal(first.text, "version one\n");
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    assert.equal(lastModified, OLD_DATE.toUTCString());
    assert.doesNotMatch(etag, /^W\//, "a settled file has a strong ETag");
    // Served again, now from the cache, with the same validators.
    const again = await get("/aged.txt");
    assert.equal(again.text, "version one\n");
    assert.equal(again.headers.get("etag"), etag);
    const since = `If-Modified-Since: ${lastModified}\r\n`;
    const ifRange = `If-Range: ${etag}\r\nRange: bytes=0-6\r\n`;
    assert.equal((await get("/aged.txt", since)).status, 304);
    assert.equal((await get("/aged.txt", ifRange)).text, "version");

    Deno.writeTextFileSync(`${root}/aged.txt`, "version two\n");
    await eventually(
      "version two",
      async () => (await get("/aged.txt")).text === "version two\n",
    );
    const fresh = await get("/aged.txt");
    assert.equal(fresh.text, "version two\n");
    assert.notEqual(fresh.headers.get("etag"), etag);
    const modified = await get("/aged.txt", since);
    assert.equal(modified.status, 200);
    assert.equal(modified.text, "version two\n");
    const stale = await get("/aged.txt", `If-None-Match: ${etag}\r\n`);
    assert.equal(stale.status, 200);
    const whole = await get("/aged.txt", ifRange);
    assert.equal(whole.status, 200, "a changed file is sent whole");
    assert.equal(whole.text, "version two\n");
  });

  await t.step("a larger file rewritten in place", async () => {
    const first = await get("/aged.bin");
    assert.equal(sha256(first.body), sha256(pseudoRandomBytes(200_000, 7)));
    const next = pseudoRandomBytes(200_000, 8);
    Deno.writeFileSync(`${root}/aged.bin`, next);
    await eventually(
      "the new bytes",
      async () => sha256((await get("/aged.bin")).body) === sha256(next),
    );
  });
});
