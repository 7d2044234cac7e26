/**
 * Thumbnails through a real spidey: `GET /image?thumbnail`.
 *
 * These need the dispatcher to route `?thumbnail` on image files to
 * `serveThumbnail` (lib/server/dispatch.ts).
 */

import assert from "node:assert/strict";
import { get, rawRequest, type RawResponse } from "./helpers/raw_http.ts";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";
import {
  makeJpeg,
  makePng,
  pngHeaderOnly,
  webpDimensions,
} from "./helpers/test_images.ts";
import { eventually } from "./helpers/eventually.ts";

const IMAGES = new URL("../www/images/", import.meta.url);
const LONG_AGO = Date.UTC(2024, 0, 1) / 1000;

async function fetchPath(
  port: number,
  path: string,
  extra = "",
  method = "GET",
): Promise<RawResponse> {
  const raw = method === "GET"
    ? get(path, extra)
    : `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
  return await rawRequest(port, raw, { timeoutMs: 60_000 });
}

/** Sets the mtime of files in `root` well into the past (out of the racy window). */
async function age(root: string, ...names: string[]): Promise<void> {
  for (const name of names) {
    await Deno.utime(`${root}/${name}`, LONG_AGO, LONG_AGO);
  }
}

function assertIcon(res: RawResponse, label: string): void {
  assert.equal(res.status, 200, label);
  assert.equal(res.headers.get("content-type"), "image/svg+xml", label);
  assert.match(res.text, /^<svg [^>]*width="160" height="160"/, label);
  assert.equal(
    res.headers.get("content-security-policy"),
    "default-src 'none'",
  );
}

Deno.test("thumbnail: an image's ?thumbnail is a small WebP; the image itself is untouched", async () => {
  const jpeg = await makeJpeg(1200, 800);
  const root = await makeDocroot({ "pics/photo one.jpg": jpeg });
  await age(root, "pics/photo one.jpg");
  try {
    await using spidey = await serveFolder(root);
    const res = await fetchPath(spidey.port, "/pics/photo%20one.jpg?thumbnail");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/webp");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.deepEqual(webpDimensions(res.body), { width: 160, height: 107 });
    assert.ok(res.body.length < jpeg.length / 4);
    const full = await fetchPath(spidey.port, "/pics/photo%20one.jpg");
    assert.equal(full.status, 200);
    assert.equal(full.headers.get("content-type"), "image/jpeg");
    assert.deepEqual(full.body, jpeg);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: revalidation gets 304, HEAD gets the headers, and an edited image a new thumbnail", async () => {
  const root = await makeDocroot({
    "a.png": await makePng(400, 200),
    "b.png": await makePng(300, 300),
  });
  await age(root, "a.png", "b.png");
  try {
    await using spidey = await serveFolder(root);
    const first = await fetchPath(spidey.port, "/a.png?thumbnail");
    const etag = first.headers.get("etag")!;
    assert.match(etag, /^"[^"]+"$/);
    assert.deepEqual(webpDimensions(first.body), { width: 160, height: 80 });

    const again = await fetchPath(
      spidey.port,
      "/a.png?thumbnail",
      `If-None-Match: ${etag}\r\n`,
    );
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.get("etag"), etag);

    const head = await fetchPath(spidey.port, "/a.png?thumbnail", "", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(first.body.length));
    assert.equal(head.body.length, 0);

    // Replace a.png with a portrait image (new size, new mtime).
    await Deno.writeFile(`${root}/a.png`, await makePng(100, 250));
    await Deno.utime(`${root}/a.png`, LONG_AGO + 60, LONG_AGO + 60);
    const fetchEdited = () =>
      fetchPath(spidey.port, "/a.png?thumbnail", `If-None-Match: ${etag}\r\n`);
    let edited = await fetchEdited();
    await eventually("the edited image is served", async () => {
      edited = await fetchEdited();
      return edited.status === 200;
    });
    assert.notEqual(edited.headers.get("etag"), etag);
    assert.deepEqual(webpDimensions(edited.body), { width: 64, height: 160 });

    // The other image's thumbnail is its own.
    const other = await fetchPath(spidey.port, "/b.png?thumbnail");
    assert.deepEqual(webpDimensions(other.body), { width: 160, height: 160 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: If-Modified-Since gets 304 by the image's mtime, preconditions as for files", async () => {
  const root = await makeDocroot({
    "a.png": await makePng(400, 200),
    "notes.txt.png": "not a png at all",
  });
  await age(root, "a.png", "notes.txt.png");
  const lastModified = new Date(LONG_AGO * 1000).toUTCString();
  try {
    await using spidey = await serveFolder(root);
    const first = await fetchPath(spidey.port, "/a.png?thumbnail");
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("last-modified"), lastModified);
    const etag = first.headers.get("etag")!;

    const since = (value: string, more = "") =>
      fetchPath(
        spidey.port,
        "/a.png?thumbnail",
        `If-Modified-Since: ${value}\r\n${more}`,
      );
    const notModified = await since(lastModified);
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.length, 0);
    assert.equal(notModified.headers.get("etag"), etag);
    assert.equal(notModified.headers.get("last-modified"), lastModified);
    assert.equal(
      (await since("Sun, 31 Dec 2023 23:59:59 GMT")).status,
      200,
    );
    // If-None-Match decides when both are sent, and compares weakly.
    assert.equal(
      (await since(lastModified, 'If-None-Match: "other"\r\n')).status,
      200,
    );
    assert.equal(
      (await fetchPath(
        spidey.port,
        "/a.png?thumbnail",
        `If-None-Match: W/${etag}\r\n`,
      )).status,
      304,
    );
    // If-Match and If-Unmodified-Since fail with 412.
    assert.equal(
      (await fetchPath(
        spidey.port,
        "/a.png?thumbnail",
        'If-Match: "other"\r\n',
      )).status,
      412,
    );
    assert.equal(
      (await fetchPath(
        spidey.port,
        "/a.png?thumbnail",
        "If-Unmodified-Since: Sun, 31 Dec 2023 00:00:00 GMT\r\n",
      )).status,
      412,
    );
    // The icon of a file that is no image is dated by that file too.
    const icon = await fetchPath(
      spidey.port,
      "/notes.txt.png?thumbnail",
      `If-Modified-Since: ${lastModified}\r\n`,
    );
    assert.equal(icon.status, 304);

    // An edited image is newer than the date the client holds.
    await Deno.writeFile(`${root}/a.png`, await makePng(100, 250));
    await Deno.utime(`${root}/a.png`, LONG_AGO + 60, LONG_AGO + 60);
    // Served fresh once the change's file-system event has arrived.
    let edited = await since(lastModified);
    await eventually("the edited image is served", async () => {
      edited = await since(lastModified);
      return edited.status === 200;
    });
    assert.equal(
      edited.headers.get("last-modified"),
      new Date((LONG_AGO + 60) * 1000).toUTCString(),
    );
    assert.deepEqual(webpDimensions(edited.body), { width: 64, height: 160 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: SVG, GIF, corrupt, truncated and oversized images get the icon, never a 500", async () => {
  const png = await makePng(200, 200);
  const garbled = png.slice();
  garbled.fill(0x5a, 40);
  const root = await makeDocroot({
    "logo.svg": Deno.readFileSync(new URL("spidey.svg", IMAGES)),
    "anim.gif": "GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "corrupt.png": garbled,
    "truncated.png": png.subarray(0, 70),
    "empty.jpg": "",
    "bomb.png": pngHeaderOnly(60_000, 60_000),
    "lies.jpg": "this is not a jpeg",
  });
  const names = [
    "logo.svg",
    "anim.gif",
    "corrupt.png",
    "truncated.png",
    "empty.jpg",
    "bomb.png",
    "lies.jpg",
  ];
  await age(root, ...names);
  try {
    await using spidey = await serveFolder(root);
    for (const name of names) {
      const res = await fetchPath(spidey.port, `/${name}?thumbnail`);
      assertIcon(res, name);
      // A kept answer: revalidation works for icons too.
      const etag = res.headers.get("etag");
      assert.ok(etag !== undefined, `${name} has no ETag`);
      const again = await fetchPath(
        spidey.port,
        `/${name}?thumbnail`,
        `If-None-Match: ${etag}\r\n`,
      );
      assert.equal(again.status, 304, name);
    }
    // The server is fine afterwards.
    const ok = await fetchPath(spidey.port, "/logo.svg");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("content-type"), "image/svg+xml");
    assert.doesNotMatch(spidey.stderr(), /Uncaught|panicked|error:/i);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: a file changed within the last moments is answered but not kept", async () => {
  const root = await makeDocroot({ "new.png": await makePng(50, 40) });
  // Changed "just now" at each request, however slowly this machine runs.
  const touch = () => Deno.utime(`${root}/new.png`, new Date(), new Date());
  try {
    await using spidey = await serveFolder(root);
    await touch();
    const res = await fetchPath(spidey.port, "/new.png?thumbnail");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/webp");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("etag"), undefined);
    assert.equal(res.headers.get("last-modified"), undefined);
    // Nothing to revalidate against: a date condition gets the image.
    await touch();
    const again = await fetchPath(
      spidey.port,
      "/new.png?thumbnail",
      `If-Modified-Since: ${new Date().toUTCString()}\r\n`,
    );
    assert.equal(again.status, 200);
    assert.equal(again.headers.get("content-type"), "image/webp");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: ?thumbnail means nothing on files that are not images", async () => {
  const root = await makeDocroot({ "notes.txt": "hello" });
  try {
    await using spidey = await serveFolder(root);
    const res = await fetchPath(spidey.port, "/notes.txt?thumbnail");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
    assert.equal(res.text, "hello");
    const missing = await fetchPath(spidey.port, "/nope.png?thumbnail");
    assert.equal(missing.status, 404);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: other requests are answered while a large image is being shrunk", async () => {
  const root = await makeDocroot({
    "huge.jpg": await makeJpeg(6000, 4000),
    "small.txt": "quick",
  });
  await age(root, "huge.jpg");
  try {
    await using spidey = await serveFolder(root);
    const order: string[] = [];
    const thumb = fetchPath(spidey.port, "/huge.jpg?thumbnail").then((r) => {
      order.push("thumbnail");
      return r;
    });
    // Give the server time to read the file and hand it to the worker.
    await new Promise((r) => setTimeout(r, 150));
    const small = await fetchPath(spidey.port, "/small.txt");
    order.push("small");
    assert.equal(small.text, "quick");
    const big = await thumb;
    assert.equal(big.status, 200);
    assert.deepEqual(webpDimensions(big.body), { width: 160, height: 107 });
    // A 24-megapixel decode takes far longer than serving a small file; had
    // it run on the serving thread, the small file would have waited.
    assert.deepEqual(order, ["small", "thumbnail"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("thumbnail: many concurrent requests for one image all get it", async () => {
  const root = await makeDocroot({ "c.png": await makePng(800, 600) });
  await age(root, "c.png");
  try {
    await using spidey = await serveFolder(root);
    const all = await Promise.all(
      Array.from(
        { length: 12 },
        () => fetchPath(spidey.port, "/c.png?thumbnail"),
      ),
    );
    const etags = new Set(all.map((r) => r.headers.get("etag")));
    assert.equal(etags.size, 1);
    assert.equal(all[0]!.headers.get("content-type"), "image/webp");
    assert.deepEqual(webpDimensions(all[0]!.body), { width: 160, height: 120 });
    for (const r of all) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, all[0]!.body);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
