/**
 * Compression end to end against a real spidey: negotiation, on-the-fly
 * gzip and br (cached and streamed), precompressed sidecars, ranges,
 * per-variant validators, listings, and types left alone.
 */

import assert from "node:assert/strict";
import {
  brotliCompressSync,
  brotliDecompressSync,
  gunzipSync,
  gzipSync,
} from "node:zlib";
import { rawRequest, type RawResponse } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";
import {
  pseudoRandomBytes,
  sleep,
  tempDocroot,
} from "./helpers/static_files.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Text that compresses but is not trivially repetitive. */
function textOf(bytes: number, seed: number): string {
  const words = ["spidey", "serves", "static", "files", "with", "gzip", "br"];
  let out = "";
  let i = seed;
  while (out.length < bytes) {
    out += `${words[i % words.length]} ${i} `;
    if (i % 13 === 0) out += "\n";
    i++;
  }
  return out.slice(0, bytes);
}

const APP_JS = textOf(20_000, 1); // cached path (≤ 64 KiB)
const BIG_TXT = textOf(300_000, 2); // streamed path
const STYLE_CSS = textOf(5_000, 3);
const STYLE_SIDECAR = `/* from the sidecar */ ${STYLE_CSS}`;
const STALE_CSS = textOf(5_000, 4);
const TINY_TXT = "tiny\n";
const PNG = pseudoRandomBytes(8_000);

function decode(res: RawResponse): string {
  const coding = res.headers.get("content-encoding");
  if (coding === "br") return decoder.decode(brotliDecompressSync(res.body));
  if (coding === "gzip") return decoder.decode(gunzipSync(res.body));
  assert.equal(coding, undefined);
  return res.text;
}

function headersBut(res: RawResponse, ...names: string[]): [string, string][] {
  return [...res.headers].filter(([k]) => !names.includes(k));
}

Deno.test("static compression: negotiation, sidecars, ranges, validators, listings", async (t) => {
  const listed: Record<string, string> = {};
  for (let i = 0; i < 40; i++) listed[`dir/entry-number-${i}.txt`] = `${i}\n`;
  await using root = await tempDocroot({
    "app.js": APP_JS,
    "big.txt": BIG_TXT,
    "style.css": STYLE_CSS,
    "style.css.br": brotliCompressSync(encoder.encode(STYLE_SIDECAR)),
    "style.css.gz": gzipSync(encoder.encode(STYLE_SIDECAR)),
    "stale.css": STALE_CSS,
    "stale.css.gz": gzipSync(encoder.encode("stale sidecar")),
    "tiny.txt": TINY_TXT,
    "pic.png": PNG,
    ...listed,
  });
  const dir = root.path;
  const at = (y: number) => new Date(Date.UTC(y, 0, 1));
  for (const name of ["app.js", "big.txt", "tiny.txt", "pic.png"]) {
    Deno.utimeSync(`${dir}/${name}`, at(2020), at(2020));
  }
  Deno.utimeSync(`${dir}/style.css`, at(2020), at(2020));
  Deno.utimeSync(`${dir}/style.css.br`, at(2021), at(2021));
  Deno.utimeSync(`${dir}/style.css.gz`, at(2020), at(2020)); // as new: fresh
  Deno.utimeSync(`${dir}/stale.css`, at(2020), at(2020));
  Deno.utimeSync(`${dir}/stale.css.gz`, at(2019), at(2019));
  // Past the racy window (ctime counts, and cannot be set back), so
  // small files take the cached path and get strong tags.
  await sleep(3200);
  await using spidey = await serveFolder(dir, ["-q"]);
  const port = spidey.port;
  const fetchWith = (path: string, extra = "", method = "GET") =>
    rawRequest(
      port,
      `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`,
    );

  await t.step(
    "curl --compressed gets the same bytes, fewer on the wire",
    async () => {
      for (const [path, text] of [["/app.js", APP_JS], ["/big.txt", BIG_TXT]]) {
        const out = await new Deno.Command("curl", {
          args: [
            "-sS",
            "--compressed",
            "-w",
            "\n%{size_download}",
            `http://127.0.0.1:${port}${path!}`,
          ],
          stdout: "piped",
        }).output();
        assert.equal(out.code, 0);
        const all = decoder.decode(out.stdout);
        const cut = all.lastIndexOf("\n");
        assert.equal(all.slice(0, cut), text);
        assert.ok(Number(all.slice(cut + 1)) < text!.length / 2, path);
      }
    },
  );

  await t.step(
    "br and gzip decode to the file, cached and streamed",
    async () => {
      for (const coding of ["br", "gzip"]) {
        for (let round = 0; round < 2; round++) {
          const small = await fetchWith(
            "/app.js",
            `Accept-Encoding: ${coding}\r\n`,
          );
          assert.equal(small.status, 200);
          assert.equal(small.headers.get("content-encoding"), coding);
          assert.equal(small.headers.get("vary"), "Accept-Encoding");
          assert.equal(
            small.headers.get("content-type"),
            "text/javascript; charset=utf-8",
          );
          assert.equal(
            Number(small.headers.get("content-length")),
            small.body.length,
          );
          assert.equal(small.headers.get("accept-ranges"), undefined);
          assert.match(
            small.headers.get("etag")!,
            coding === "br" ? /^"[^"]+-br"$/ : /^"[^"]+-gz"$/,
          );
          assert.equal(decode(small), APP_JS);
        }
        const big = await fetchWith(
          "/big.txt",
          `Accept-Encoding: ${coding}\r\n`,
        );
        assert.equal(big.status, 200);
        assert.equal(big.headers.get("content-encoding"), coding);
        assert.equal(big.headers.get("transfer-encoding"), "chunked");
        assert.equal(decode(big), BIG_TXT);
      }
      const plain = await fetchWith("/app.js");
      assert.equal(plain.headers.get("content-encoding"), undefined);
      assert.equal(plain.headers.get("vary"), "Accept-Encoding");
      assert.equal(plain.text, APP_JS);
    },
  );

  await t.step("HEAD gives the same head as GET, per coding", async () => {
    for (const path of ["/app.js", "/big.txt", "/style.css"]) {
      for (const ae of ["br", "gzip", "identity"]) {
        const extra = `Accept-Encoding: ${ae}\r\n`;
        const getRes = await fetchWith(path, extra);
        const headRes = await fetchWith(path, extra, "HEAD");
        assert.deepEqual(
          headersBut(headRes, "date"),
          headersBut(getRes, "date"),
          `${path} ${ae}`,
        );
      }
    }
  });

  await t.step(
    "a fresh sidecar is preferred, with the file's type",
    async () => {
      for (const coding of ["br", "gzip"]) {
        const res = await fetchWith(
          "/style.css",
          `Accept-Encoding: ${coding}\r\n`,
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-encoding"), coding);
        assert.equal(
          res.headers.get("content-type"),
          "text/css; charset=utf-8",
        );
        const size =
          Deno.statSync(`${dir}/style.css.${coding === "br" ? "br" : "gz"}`)
            .size;
        assert.equal(Number(res.headers.get("content-length")), size);
        assert.equal(decode(res), STYLE_SIDECAR);
      }
    },
  );

  await t.step("a sidecar older than its file is ignored", async () => {
    const res = await fetchWith("/stale.css", "Accept-Encoding: gzip\r\n");
    assert.equal(res.headers.get("content-encoding"), "gzip");
    assert.equal(decode(res), STALE_CSS);
  });

  await t.step(
    "a range comes from the plain file, never compressed",
    async () => {
      const res = await fetchWith(
        "/app.js",
        "Accept-Encoding: br, gzip\r\nRange: bytes=10-109\r\n",
      );
      assert.equal(res.status, 206);
      assert.equal(res.headers.get("content-encoding"), undefined);
      assert.equal(res.headers.get("vary"), "Accept-Encoding");
      assert.equal(res.text, APP_JS.slice(10, 110));
      const refused = await fetchWith(
        "/app.js",
        "Accept-Encoding: br, identity;q=0\r\nRange: bytes=0-9\r\n",
      );
      assert.equal(refused.status, 406);
    },
  );

  await t.step("each coding revalidates against its own tag", async () => {
    const tags: Record<string, string> = {};
    for (const ae of ["br", "gzip", "identity"]) {
      const res = await fetchWith("/app.js", `Accept-Encoding: ${ae}\r\n`);
      tags[ae] = res.headers.get("etag")!;
    }
    assert.equal(new Set(Object.values(tags)).size, 3);
    for (const ae of ["br", "gzip", "identity"]) {
      for (const tagOf of ["br", "gzip", "identity"]) {
        const res = await fetchWith(
          "/app.js",
          `Accept-Encoding: ${ae}\r\nIf-None-Match: ${tags[tagOf]}\r\n`,
        );
        if (ae === tagOf) {
          assert.equal(res.status, 304, `${ae} with its own tag`);
          assert.equal(res.headers.get("etag"), tags[ae]);
          assert.equal(res.headers.get("vary"), "Accept-Encoding");
        } else {
          assert.equal(res.status, 200, `${ae} with the tag of ${tagOf}`);
          assert.equal(decode(res), APP_JS);
        }
      }
    }
    // Sidecar variants too.
    const side = await fetchWith("/style.css", "Accept-Encoding: br\r\n");
    const again = await fetchWith(
      "/style.css",
      `Accept-Encoding: br\r\nIf-None-Match: ${side.headers.get("etag")}\r\n`,
    );
    assert.equal(again.status, 304);
  });

  await t.step("listings are compressed, per variant", async () => {
    const plain = await fetchWith("/dir/?format=json");
    assert.equal(plain.status, 200);
    assert.ok(plain.body.length >= 1024);
    assert.equal(plain.headers.get("vary"), "Accept, Accept-Encoding");
    for (const coding of ["gzip", "br"]) {
      const res = await fetchWith(
        "/dir/?format=json",
        `Accept-Encoding: ${coding}\r\n`,
      );
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(res.headers.get("content-encoding"), coding);
      assert.equal(decode(res), plain.text);
      assert.notEqual(res.headers.get("etag"), plain.headers.get("etag"));
      const again = await fetchWith(
        "/dir/?format=json",
        `Accept-Encoding: ${coding}\r\nIf-None-Match: ${
          res.headers.get("etag")
        }\r\n`,
      );
      assert.equal(again.status, 304);
    }
    const html = await fetchWith("/dir/", "Accept-Encoding: gzip\r\n");
    assert.equal(html.headers.get("content-encoding"), "gzip");
    assert.match(decode(html), /entry-number-39\.txt/);
  });

  await t.step("images and tiny files are sent as they are", async () => {
    const png = await fetchWith("/pic.png", "Accept-Encoding: br, gzip\r\n");
    assert.equal(png.headers.get("content-encoding"), undefined);
    assert.equal(png.headers.get("vary"), undefined);
    assert.deepEqual(png.body, PNG);
    const tiny = await fetchWith("/tiny.txt", "Accept-Encoding: br, gzip\r\n");
    assert.equal(tiny.headers.get("content-encoding"), undefined);
    assert.equal(tiny.headers.get("vary"), "Accept-Encoding");
    assert.equal(tiny.text, TINY_TXT);
  });

  await t.step("406 only when nothing acceptable remains", async () => {
    assert.equal(
      (await fetchWith("/tiny.txt", "Accept-Encoding: identity;q=0\r\n"))
        .status,
      406,
    );
    assert.equal(
      (await fetchWith("/pic.png", "Accept-Encoding: *;q=0\r\n")).status,
      406,
    );
    assert.equal(
      (await fetchWith("/app.js", "Accept-Encoding: identity;q=0\r\n")).status,
      406,
    );
    const gz = await fetchWith(
      "/app.js",
      "Accept-Encoding: gzip, identity;q=0\r\n",
    );
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    const refusedBr = await fetchWith(
      "/tiny.txt",
      "Accept-Encoding: br;q=0\r\n",
    );
    assert.equal(refusedBr.status, 200);
    assert.equal(refusedBr.text, TINY_TXT);
  });
});

Deno.test("static compression: no sidecar is served inside a folder that takes uploads", async () => {
  await using root = await tempDocroot({
    "up/style.css": STYLE_CSS,
    "up/style.css.gz": gzipSync(encoder.encode(STYLE_SIDECAR)),
    "pub/style.css": STYLE_CSS,
    "pub/style.css.gz": gzipSync(encoder.encode(STYLE_SIDECAR)),
  });
  Deno.symlinkSync("../up", `${root.path}/pub/linked`);
  await using spidey = await serveFolder(root.path, [
    "-q",
    "--upload-dir",
    "/up",
  ]);
  const gzipped = (path: string) =>
    rawRequest(
      spidey.port,
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\r\n`,
    );
  // Outside the upload folder the sidecar is used (the control).
  assert.equal(decode(await gzipped("/pub/style.css")), STYLE_SIDECAR);
  for (const path of ["/up/style.css", "/pub/linked/style.css"]) {
    const res = await gzipped(path);
    assert.equal(res.status, 200, path);
    assert.equal(decode(res), STYLE_CSS, path);
  }
});
