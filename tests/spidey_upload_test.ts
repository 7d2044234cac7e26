/**
 * Uploads against a real spidey on loopback: off by default (405), the
 * listing's form (`curl -F`, several files), PUT, names refused or taken
 * (409 unless --overwrite), the size limit, a cut connection that leaves
 * nothing behind, --upload-dir and a symlinked folder leading outside.
 */

import assert from "node:assert/strict";
import { shScript, tempDocroot } from "./helpers/cgi_scripts.ts";
import {
  get,
  parseResponses,
  rawExchange,
  rawRequest,
} from "./helpers/raw_http.ts";
import { serveFolder, serveQuietly } from "./helpers/spidey_process.ts";

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

/** The status spidey on `port` answers a PUT of `body` to `path` with. */
async function putStatus(
  port: number,
  path: string,
  body = "x",
): Promise<number> {
  return (await rawRequest(port, put(path, body))).status;
}

/** Names in `dir`, hidden ones included, sorted. */
function namesIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("spidey takes no upload unless asked: PUT and POST get 405", async () => {
  await using docroot = await tempDocroot({ "hello.txt": "hi\n" });
  await using spidey = await serveQuietly(docroot.path);
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
  await using spidey = await serveFolder(docroot.path, [
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
      const refusals: Array<[path: string, status: number]> = [
        ["/.hidden", 400],
        ["/a%01b", 400],
        [`/${"n".repeat(256)}`, 400],
        ["/sub/../x", 400],
        ["/nope/x.txt", 404],
        ["/sub", 409],
      ];
      for (const [path, status] of refusals) {
        assert.equal(await putStatus(spidey.port, path), status, path);
      }
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
      assert.equal(await putStatus(spidey.port, "/big.txt", big), 413);
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
  await using spidey = await serveQuietly(docroot.path, [
    "--upload-dir",
    "/in",
    "--overwrite",
  ]);
  const res = await rawRequest(spidey.port, put("/in/a.txt", "new"));
  assert.equal(res.status, 201);
  assert.equal(Deno.readTextFileSync(`${docroot.path}/in/a.txt`), "new");
  assert.equal(await putStatus(spidey.port, "/other/b.txt", "c"), 405);
  assert.equal(await putStatus(spidey.port, "/c.txt", "c"), 404);
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

Deno.test("spidey upload: NAME.gz or NAME.br is refused when NAME exists", async () => {
  await using docroot = await tempDocroot({ "up/app.js": "good();\n" });
  await using spidey = await serveQuietly(docroot.path, [
    "--upload-dir",
    "/up",
  ]);
  assert.equal(await putStatus(spidey.port, "/up/app.js"), 409);
  for (const suffix of [".gz", ".br"]) {
    const res = await rawRequest(spidey.port, put(`/up/app.js${suffix}`, "x"));
    assert.equal(res.status, 409, suffix);
  }
  // With no file of that name, a compressed file is just a file.
  assert.equal(await putStatus(spidey.port, "/up/other.js.gz"), 201);
  assert.deepEqual(namesIn(`${docroot.path}/up`), ["app.js", "other.js.gz"]);
});

Deno.test("spidey --upload-dir: a symlink inside to another folder takes nothing", async () => {
  await using docroot = await tempDocroot({
    "up/keep.txt": "k\n",
    "pub/site.txt": "s\n",
  });
  Deno.symlinkSync("../pub", `${docroot.path}/up/link`);
  await using spidey = await serveQuietly(docroot.path, [
    "--upload-dir",
    "/up",
  ]);
  const res = await rawRequest(spidey.port, put("/up/link/new.txt", "x"));
  assert.equal(res.status, 403);
  const src = await Deno.makeTempFile();
  try {
    const form = await curl([
      "-F",
      `files=@${src};filename=form.txt`,
      `http://127.0.0.1:${spidey.port}/up/link/`,
    ]);
    assert.equal(form.status, 403);
  } finally {
    await Deno.remove(src);
  }
  assert.deepEqual(namesIn(`${docroot.path}/pub`), ["site.txt"]);
  // The folder itself still takes uploads.
  assert.equal(await putStatus(spidey.port, "/up/new.txt"), 201);
});

Deno.test("spidey upload: a CGI script in an upload folder keeps --max-body", async () => {
  await using docroot = await tempDocroot({
    "up/wc.cgi": shScript(
      'printf "Content-Type: text/plain\\r\\n\\r\\n"\nwc -c',
    ),
  });
  await using spidey = await serveQuietly(docroot.path, [
    "--upload-dir",
    "/up",
    "--max-body",
    "100",
  ]);
  const post = (body: string) =>
    `POST /up/wc.cgi/x/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const small = await rawRequest(spidey.port, post("y".repeat(50)));
  assert.equal(small.status, 200);
  assert.equal(small.text.trim(), "50");
  assert.equal(
    (await rawRequest(spidey.port, post("y".repeat(5000)))).status,
    413,
  );
  const big = "y".repeat(5000);
  const chunked =
    `POST /up/wc.cgi/x/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${
      big.length.toString(16)
    }\r\n${big}\r\n0\r\n\r\n`;
  assert.equal((await rawRequest(spidey.port, chunked)).status, 413);
});

Deno.test("spidey upload: GET right after PUT 201 finds the file, and the listing shows it", async () => {
  await using docroot = await tempDocroot({ "up/keep.txt": "k\n" });
  await using spidey = await serveFolder(docroot.path, [
    "-q",
    "--upload-dir",
    "/up",
  ]);
  for (let i = 0; i < 30; i++) {
    const path = `/up/fresh-${i}.txt`;
    assert.equal((await rawRequest(spidey.port, get(path))).status, 404);
    // A cached listing from before the upload must not outlive it.
    const before = await rawRequest(spidey.port, get("/up/"));
    assert.equal(before.status, 200);
    assert.ok(!before.text.includes(`fresh-${i}.txt`));
    assert.equal(await putStatus(spidey.port, path, `n${i}`), 201);
    const after = await rawRequest(spidey.port, get(path));
    assert.equal(after.status, 200, path);
    assert.equal(after.text, `n${i}`);
    const listing = await rawRequest(spidey.port, get("/up/"));
    assert.ok(listing.text.includes(`fresh-${i}.txt`), `listing after ${path}`);
  }
});

Deno.test("spidey upload: a refused cross-origin PUT carries CORS and keeps the connection", async () => {
  await using docroot = await tempDocroot({ "taken.txt": "old\n" });
  await using spidey = await serveFolder(docroot.path, [
    "-q",
    "--upload",
    "--cors",
    "http://example.com",
  ]);
  const origin = "Origin: http://example.com\r\n";
  const refused =
    `PUT /taken.txt HTTP/1.1\r\nHost: localhost\r\n${origin}Content-Length: 4\r\n\r\nnew!`;
  const bytes = await rawExchange(
    spidey.port,
    refused + get("/taken.txt", origin),
  );
  const [conflict, after] = parseResponses(bytes, ["PUT", "GET"]);
  assert.equal(conflict?.status, 409);
  assert.equal(
    conflict.headers.get("access-control-allow-origin"),
    "http://example.com",
  );
  assert.equal(after?.status, 200, "the connection carried on");
  assert.equal(after.text, "old\n");
  // A bad name (400) likewise.
  const bad = await rawRequest(spidey.port, put("/.env", "x", origin));
  assert.equal(bad.status, 400);
  assert.equal(
    bad.headers.get("access-control-allow-origin"),
    "http://example.com",
  );
});

Deno.test("spidey upload: a form that fails at its second file leaves none", async () => {
  await using docroot = await tempDocroot({ "keep.txt": "k\n" });
  await using spidey = await serveQuietly(docroot.path, ["--upload"]);
  const boundary = "XyZzY";
  const part = (name: string, data: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${data}\r\n`;
  const start = part("first.txt", "0123456789") +
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="second.txt"\r\n\r\nab`;
  const end = `\r\n--${boundary}--\r\n`;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: spidey.port });
  try {
    await conn.write(new TextEncoder().encode(
      `POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${
        start.length + end.length
      }\r\n\r\n${start}`,
    ));
    // The second file's temporary file disappears before the form ends, so
    // naming it fails after the first was named.
    let second: string | undefined;
    for (let i = 0; i < 100 && second === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const temps = [...Deno.readDirSync(docroot.path)]
        .filter((e) => e.name.startsWith(".spidey-upload-"))
        .map((e) => ({
          name: e.name,
          size: Deno.statSync(`${docroot.path}/${e.name}`).size,
        }));
      if (temps.length === 2 && temps.some((t) => t.size === 10)) {
        second = temps.find((t) => t.size !== 10)?.name;
      }
    }
    assert.ok(second !== undefined, "two temporary files while it comes");
    Deno.removeSync(`${docroot.path}/${second}`);
    await conn.write(new TextEncoder().encode(end));
    const reply = await readAllOf(conn);
    assert.match(reply, /^HTTP\/1\.1 5\d\d /);
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
  assert.deepEqual(namesIn(docroot.path), ["keep.txt"]);
});

Deno.test("spidey upload: temporary files stay hidden with --dotfiles", async () => {
  await using docroot = await tempDocroot({ "keep.txt": "k\n" });
  await using spidey = await serveFolder(docroot.path, [
    "-q",
    "--upload",
    "--dotfiles",
    "--archives",
  ]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: spidey.port });
  try {
    await conn.write(new TextEncoder().encode(
      `PUT /cut.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50000\r\n\r\n${
        "y".repeat(20_000)
      }`,
    ));
    let temp: string | undefined;
    for (let i = 0; i < 100 && temp === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      temp = namesIn(docroot.path).find((n) => n.startsWith(".spidey-upload-"));
    }
    assert.ok(temp !== undefined, "a temporary file while it comes");
    const listing = await rawRequest(spidey.port, get("/?format=json"));
    assert.equal(listing.status, 200);
    assert.doesNotMatch(listing.text, /spidey-upload/);
    const page = await rawRequest(spidey.port, get("/"));
    assert.doesNotMatch(page.text, /spidey-upload/);
    assert.equal((await rawRequest(spidey.port, get(`/${temp}`))).status, 404);
    const zip = await rawRequest(spidey.port, get("/?download=zip"));
    assert.equal(zip.status, 200);
    assert.ok(
      !new TextDecoder("latin1").decode(zip.body).includes("spidey-upload"),
    );
    assert.ok(new TextDecoder("latin1").decode(zip.body).includes("keep.txt"));
  } finally {
    conn.close();
  }
});

/** Everything `conn` sends until it closes (10 s at most), as text. */
async function readAllOf(conn: Deno.Conn): Promise<string> {
  const chunks: string[] = [];
  const buf = new Uint8Array(16_384);
  const timer = setTimeout(() => conn.close(), 10_000);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(decoder.decode(buf.subarray(0, n)));
    }
  } catch {
    /* closed by the timer */
  } finally {
    clearTimeout(timer);
  }
  return chunks.join("");
}
