import assert from "node:assert/strict";
import type { FileStamp } from "../lib/server/static/file_cache.ts";
import {
  describeFile,
  isRacy,
  withBody,
} from "../lib/server/static/file_representation.ts";

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0, 500);
const SETTLED: FileStamp = {
  size: 1024,
  mtimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
  ctimeMs: Date.UTC(2024, 0, 2, 3, 4, 5),
  ino: 99,
  dev: 1,
};

Deno.test("isRacy flags a file changed within the window", () => {
  assert.equal(isRacy(SETTLED, NOW, 2000), false);
  assert.equal(isRacy({ ...SETTLED, mtimeMs: NOW - 1999 }, NOW, 2000), true);
  assert.equal(isRacy({ ...SETTLED, mtimeMs: NOW - 2000 }, NOW, 2000), false);
  // ctime counts too, with a second more for its whole-second precision.
  assert.equal(isRacy({ ...SETTLED, ctimeMs: NOW - 2500 }, NOW, 2000), true);
  assert.equal(isRacy({ ...SETTLED, ctimeMs: NOW - 3000 }, NOW, 2000), false);
  // A clock skewed into the future is racy until it has passed.
  assert.equal(isRacy({ ...SETTLED, mtimeMs: NOW + 60_000 }, NOW, 2000), true);
  assert.equal(isRacy({ ...SETTLED, mtimeMs: NOW }, NOW, 0), false);
});

Deno.test("describeFile builds headers and strong validators for a settled file", () => {
  const rep = describeFile("/srv/a.txt", SETTLED, NOW, 2000);
  assert.equal(rep.stable, true);
  assert.equal(rep.size, 1024);
  assert.equal(rep.lastModifiedMs, Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.doesNotMatch(rep.etag, /^W\//);
  assert.deepEqual(rep.headers, [
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Last-Modified", "Tue, 02 Jan 2024 03:04:05 GMT"],
    ["ETag", rep.etag],
    ["Accept-Ranges", "bytes"],
  ]);
  assert.deepEqual(rep.notModifiedHeaders, [
    ["Last-Modified", "Tue, 02 Jan 2024 03:04:05 GMT"],
    ["ETag", rep.etag],
  ]);
  assert.deepEqual(rep.whole, {
    status: 200,
    headers: rep.headers,
    start: 0,
    length: 1024,
  });
  assert.equal(rep.body, null);
});

Deno.test("describeFile gives a racy file weak validators", () => {
  const rep = describeFile(
    "/srv/a.bin",
    { ...SETTLED, mtimeMs: NOW - 10 },
    NOW,
    2000,
  );
  assert.equal(rep.stable, false);
  assert.match(rep.etag, /^W\/"/);
  assert.equal(rep.headers[0]?.[1], "application/octet-stream");
});

Deno.test("describeFile never dates a file after now, nor before the epoch", () => {
  const future = describeFile(
    "/srv/a.txt",
    { ...SETTLED, mtimeMs: NOW + 86_400_000 },
    NOW,
    2000,
  );
  assert.equal(future.lastModifiedMs, Date.UTC(2025, 5, 1, 12, 0, 0));
  const ancient = describeFile(
    "/srv/a.txt",
    { ...SETTLED, mtimeMs: -5000 },
    NOW,
    2000,
  );
  assert.equal(ancient.lastModifiedMs, null);
  assert.ok(!ancient.headers.some(([name]) => name === "Last-Modified"));
  assert.ok(ancient.headers.some(([name]) => name === "ETag"));
});

Deno.test("withBody attaches contents and charges for them", () => {
  const rep = describeFile("/srv/a.txt", SETTLED, NOW, 2000);
  const body = new Uint8Array(1024);
  const full = withBody(rep, body);
  assert.equal(full.body, body);
  assert.equal(full.etag, rep.etag);
  // The contents, and the prepared 200 built from them, are both charged.
  assert.ok(full.prepared !== null);
  assert.equal(full.prepared.status, 200);
  assert.equal(full.prepared.body, body);
  assert.equal(full.cost, rep.cost + 2 * full.prepared.cost);
  assert.ok(full.cost >= rep.cost + 2 * 1024);
  assert.equal(rep.prepared, null);
  assert.equal(rep.notModified.status, 304);
});
