/**
 * Uploads against a real spidey on loopback: off by default (405), the
 * listing's form (`curl -F`, several files), PUT, names refused or taken
 * (409 unless --overwrite), the size limit, a cut connection that leaves
 * nothing behind, --upload-dir and a symlinked folder leading outside.
 */

import assert from "node:assert/strict";
import { tempDocroot } from "./helpers/cgi_scripts.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { startSpidey } from "./helpers/spidey_process.ts";

const decoder = new TextDecoder();

async function curl(args: string[]): Promise<{ status: number; out: string }> {
  const out = await new Deno.Command("curl", {
    args: ["-s", "-o", "/dev/stderr", "-w", "%{http_code}", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    status: Number(decoder.decode(out.stdout)),
    out: decoder.decode(out.stderr),
  };
}

function put(path: string, body: string, extra = ""): string {
  return `PUT ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

/** Names in `dir`, hidden ones included, sorted. */
function namesIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("spidey takes no upload unless asked: PUT and POST get 405", async () => {
  await using docroot = await tempDocroot({ "hello.txt": "hi\n" });
  await using spidey = await startSpidey(["-p", "0", "-d", docroot.path, "-q"]);
  const putRes = await rawRequest(spidey.port, put("/hello.txt", "data"));
  assert.equal(putRes.status, 405);
  const page = await rawRequest(spidey.port, get("/"));
  assert.doesNotMatch(page.text, /<form id="upload"/);
  const form = await curl([
    "-F",
    "f=@/etc/hostname",
    `http://127.0.0.1:${spidey.port}/`,
  ]);
  assert.equal(form.status, 405);
  assert.deepEqual(namesIn(docroot.path), ["hello.txt"]);
});

Deno.test("spidey --upload: the form, PUT, conflicts, names and limits", async (t) => {
  await using docroot = await tempDocroot({
    "old.txt": "old\n",
    "sub/keep.txt": "k\n",
  });
  const src = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  Deno.symlinkSync(outside, `${docroot.path}/out`);
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-d",
    docroot.path,
    "-f",
    "-q",
    "--upload",
    "--max-upload",
    "100000",
  ]);
  const base = `http://127.0.0.1:${spidey.port}`;
  try {
    await Deno.writeTextFile(`${src}/one.txt`, "first file\n");
    await Deno.writeFile(`${src}/two.bin`, new Uint8Array(50_000).fill(7));

    await t.step("the listing shows the form", async () => {
      const page = await rawRequest(spidey.port, get("/sub/"));
      assert.match(
        page.text,
        /<form id="upload"[^>]*method="post"[^>]*enctype="multipart\/form-data"/,
      );
      assert.match(
        page.headers.get("content-security-policy")!,
        /form-action 'self'/,
      );
    });

    await t.step(
      "curl -F with several files: 303 back, both stored",
      async () => {
        const res = await curl([
          "-F",
          `files=@${src}/one.txt`,
          "-F",
          `files=@${src}/two.bin`,
          "-F",
          "note=not a file",
          `${base}/sub/`,
        ]);
        assert.equal(res.status, 303);
        assert.equal(
          Deno.readTextFileSync(`${docroot.path}/sub/one.txt`),
          "first file\n",
        );
        assert.deepEqual(
          Deno.readFileSync(`${docroot.path}/sub/two.bin`),
          new Uint8Array(50_000).fill(7),
        );
        assert.deepEqual(namesIn(`${docroot.path}/sub`), [
          "keep.txt",
          "one.txt",
          "two.bin",
        ]);
        const page = await rawRequest(spidey.port, get("/sub/"));
        assert.match(page.text, /two\.bin/, "the listing sees the new file");
      },
    );

    await t.step(
      "a taken name: the form gets 409 and stores nothing",
      async () => {
        await Deno.writeTextFile(`${src}/fresh.txt`, "fresh\n");
        const res = await curl([
          "-F",
          `files=@${src}/fresh.txt`,
          "-F",
          `files=@${src}/one.txt`,
          `${base}/sub/`,
        ]);
        assert.equal(res.status, 409);
        assert.equal(
          Deno.readTextFileSync(`${docroot.path}/sub/one.txt`),
          "first file\n",
        );
        assert.deepEqual(namesIn(`${docroot.path}/sub`), [
          "keep.txt",
          "one.txt",
          "two.bin",
        ]);
      },
    );

    await t.step(
      "PUT: 201 with Location, then 409 for the same name",
      async () => {
        const created = await rawRequest(
          spidey.port,
          put("/sub/put%20me.txt", "put body"),
        );
        assert.equal(created.status, 201);
        assert.equal(created.headers.get("location"), "/sub/put%20me.txt");
        assert.equal(
          Deno.readTextFileSync(`${docroot.path}/sub/put me.txt`),
          "put body",
        );
        const again = await rawRequest(
          spidey.port,
          put("/sub/put%20me.txt", "other"),
        );
        assert.equal(again.status, 409);
        const old = await rawRequest(spidey.port, put("/old.txt", "new"));
        assert.equal(old.status, 409);
        assert.equal(Deno.readTextFileSync(`${docroot.path}/old.txt`), "old\n");
        const served = await rawRequest(spidey.port, get("/sub/put%20me.txt"));
        assert.equal(served.text, "put body");
      },
    );

    await t.step("bad names are refused with 400 or 404", async () => {
      assert.equal(
        (await rawRequest(spidey.port, put("/.hidden", "x"))).status,
        400,
      );
      assert.equal(
        (await rawRequest(spidey.port, put("/a%01b", "x"))).status,
        400,
      );
      assert.equal(
        (await rawRequest(spidey.port, put(`/${"n".repeat(256)}`, "x"))).status,
        400,
      );
      assert.equal(
        (await rawRequest(spidey.port, put("/sub/../x", "x"))).status,
        400,
      );
      assert.equal(
        (await rawRequest(spidey.port, put("/nope/x.txt", "x"))).status,
        404,
      );
      assert.equal(
        (await rawRequest(spidey.port, put("/sub", "x"))).status,
        409,
      );
      // A form's file name is cut to its last segment.
      await Deno.writeTextFile(`${src}/evil.txt`, "evil\n");
      const res = await curl([
        "-F",
        `files=@${src}/evil.txt;filename=../../up/evil.txt`,
        `${base}/sub/`,
      ]);
      assert.equal(res.status, 303);
      assert.equal(
        Deno.readTextFileSync(`${docroot.path}/sub/evil.txt`),
        "evil\n",
      );
      const dot = await curl([
        "-F",
        `files=@${src}/evil.txt;filename=.env`,
        `${base}/`,
      ]);
      assert.equal(dot.status, 400);
    });

    await t.step(
      "a symlinked folder leading outside takes nothing",
      async () => {
        const res = await rawRequest(spidey.port, put("/out/x.txt", "x"));
        assert.equal(res.status, 403);
        const form = await curl([
          "-F",
          `files=@${src}/one.txt`,
          `${base}/out/`,
        ]);
        assert.equal(form.status, 403);
        assert.deepEqual(namesIn(outside), []);
      },
    );

    await t.step("over --max-upload: 413 and no file", async () => {
      const big = "x".repeat(100_001);
      assert.equal(
        (await rawRequest(spidey.port, put("/big.txt", big))).status,
        413,
      );
      const chunked =
        `PUT /big2.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${
          (100_001).toString(16)
        }\r\n${big}\r\n0\r\n\r\n`;
      assert.equal((await rawRequest(spidey.port, chunked)).status, 413);
      assert.ok(
        !namesIn(docroot.path).some((n) =>
          n.startsWith("big") || n.startsWith(".spidey")
        ),
      );
    });

    await t.step(
      "a cut connection leaves no file, not even a temporary one",
      async () => {
        const conn = await Deno.connect({
          hostname: "127.0.0.1",
          port: spidey.port,
        });
        const head =
          `PUT /cut.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50000\r\n\r\n`;
        await conn.write(new TextEncoder().encode(head + "y".repeat(20_000)));
        await new Promise((r) => setTimeout(r, 300));
        const during = namesIn(docroot.path);
        assert.ok(
          during.some((n) => n.startsWith(".spidey-upload-")),
          "a temporary file while it comes",
        );
        conn.close();
        for (
          let i = 0;
          i < 50 && namesIn(docroot.path).some((n) => n.startsWith("."));
          i++
        ) {
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.deepEqual(namesIn(docroot.path), ["old.txt", "out", "sub"]);
      },
    );
  } finally {
    await Deno.remove(src, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("spidey --overwrite replaces; --upload-dir limits where", async () => {
  await using docroot = await tempDocroot({
    "in/a.txt": "old\n",
    "other/b.txt": "b\n",
  });
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-d",
    docroot.path,
    "-q",
    "--upload-dir",
    "/in",
    "--overwrite",
  ]);
  const res = await rawRequest(spidey.port, put("/in/a.txt", "new"));
  assert.equal(res.status, 201);
  assert.equal(Deno.readTextFileSync(`${docroot.path}/in/a.txt`), "new");
  assert.equal(
    (await rawRequest(spidey.port, put("/other/b.txt", "c"))).status,
    405,
  );
  assert.equal((await rawRequest(spidey.port, put("/c.txt", "c"))).status, 404);
  assert.doesNotMatch(
    (await rawRequest(spidey.port, get("/other/"))).text,
    /id="upload"/,
  );
  assert.match(
    (await rawRequest(spidey.port, get("/in/"))).text,
    /id="upload"/,
  );
  assert.deepEqual(namesIn(`${docroot.path}/other`), ["b.txt"]);
});
