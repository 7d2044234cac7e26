import assert from "node:assert/strict";
import { parseResponses, rawExchange } from "./helpers/raw_http.ts";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";
import {
  getPath,
  jsonNames,
  namesOf,
  rowsOf,
  unescapeHtml,
} from "./helpers/listing_pages.ts";

const NASTY_NAMES = [
  "<img src=x onerror=alert(1)>.txt",
  "a&b.txt",
  "100%.txt",
  "spaces here.txt",
  "#hash?.txt",
  "café.txt",
  'say "hi".txt',
  "it's.txt",
];

Deno.test("listing: a subdirectory shows parent, then directories, then files", async () => {
  const root = await makeDocroot({
    "sub/z.txt": "z",
    "sub/a.txt": "a",
    "sub/beta/x": "",
    "sub/Alpha/x": "",
    "top.txt": "t",
  });
  await using spidey = await serveFolder(root);
  const res = await getPath(spidey.port, "/sub/");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(res.text, /<title>Index of \/sub\/<\/title>/);
  const parentAt = res.text.indexOf('<a href="../">../</a>');
  assert.ok(parentAt > 0, "parent link");
  const rows = rowsOf(res.text);
  assert.deepEqual(rows.map((r) => r.href), [
    "Alpha/",
    "beta/",
    "a.txt",
    "z.txt",
  ]);
  assert.deepEqual(rows.map((r) => r.kind), ["d", "d", "f", "f"]);
  assert.ok(parentAt < res.text.indexOf('href="Alpha/"'));
});

Deno.test("listing: the root has no parent link", async () => {
  const root = await makeDocroot({ "a.txt": "a" });
  await using spidey = await serveFolder(root);
  const res = await getPath(spidey.port, "/");
  assert.equal(res.status, 200);
  assert.match(res.text, /<title>Index of \/<\/title>/);
  assert.ok(!res.text.includes('href="../"'));
  assert.deepEqual(namesOf(res.text), ["a.txt"]);
});

Deno.test("listing: /sub redirects to /sub/, keeping the query", async () => {
  const root = await makeDocroot({ "sub/a.txt": "a" });
  await using spidey = await serveFolder(root);
  const plain = await getPath(spidey.port, "/sub");
  assert.equal(plain.status, 301);
  assert.equal(plain.headers.get("location"), "/sub/");
  const sorted = await getPath(spidey.port, "/sub?C=S;O=D");
  assert.equal(sorted.status, 301);
  assert.equal(sorted.headers.get("location"), "/sub/?C=S;O=D");
});

Deno.test("listing: nasty names are escaped in text, encoded in links, and the links work", async () => {
  const files: Record<string, string> = {};
  for (const name of NASTY_NAMES) files[`nasty/${name}`] = `content of ${name}`;
  files["nasty/dir with <b>/x"] = "";
  const root = await makeDocroot(files);
  await using spidey = await serveFolder(root);
  const res = await getPath(spidey.port, "/nasty/");
  assert.equal(res.status, 200);
  assert.ok(!res.text.includes("<img"), "a name became markup");
  assert.ok(!res.text.includes("<b>"), "a directory name became markup");
  assert.ok(!res.text.includes('"hi"'), "a quote was not escaped");
  const rows = rowsOf(res.text);
  assert.equal(rows.length, NASTY_NAMES.length + 1);
  const dir = rows.find((r) => r.kind === "d")!;
  assert.equal(dir.href, "dir%20with%20%3Cb%3E/");
  assert.equal(dir.text, "dir with &lt;b&gt;/");
  for (const name of NASTY_NAMES) {
    const row = rows.find((r) => unescapeHtml(r.text) === name);
    assert.ok(row !== undefined, `row for ${name}`);
    assert.equal(unescapeHtml(row.href), encodeURIComponent(name));
    // Following the link as a browser would fetches that very file.
    const file = await getPath(spidey.port, `/nasty/${unescapeHtml(row.href)}`);
    assert.equal(file.status, 200, `GET ${row.href}`);
    assert.equal(file.text, `content of ${name}`);
  }
  const img = rows.find((r) => r.text.startsWith("&lt;img"))!;
  assert.equal(img.href, "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.txt");
  assert.equal(
    rows.find((r) => r.text.startsWith("it"))!.href,
    "it&#39;s.txt",
  );
  assert.equal(
    rows.find((r) => r.text.startsWith("say"))!.href,
    "say%20%22hi%22.txt",
  );
  assert.equal(rows.find((r) => r.text === "a&amp;b.txt")!.href, "a%26b.txt");
  assert.equal(rows.find((r) => r.text === "100%.txt")!.href, "100%25.txt");
  assert.equal(
    rows.find((r) => r.text === "#hash?.txt")!.href,
    "%23hash%3F.txt",
  );
  assert.equal(rows.find((r) => r.text === "café.txt")!.href, "caf%C3%A9.txt");
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});

Deno.test("listing: sizes are human-readable with the exact count as a tooltip", async () => {
  const root = await makeDocroot({
    "tiny.txt": "x".repeat(10),
    "kilo.bin": new Uint8Array(1234),
    "mega.bin": new Uint8Array(3 * 1024 * 1024 + 300_000),
    "folder/x": "",
  });
  await using spidey = await serveFolder(root);
  const res = await getPath(spidey.port, "/");
  const rows = rowsOf(res.text);
  const row = (href: string) => rows.find((r) => r.href === href)!.html;
  assert.match(row("tiny.txt"), /<td class="s" title="10 bytes">10 B<\/td>/);
  assert.match(
    row("kilo.bin"),
    /<td class="s" title="1,234 bytes">1\.2 KiB<\/td>/,
  );
  assert.match(
    row("mega.bin"),
    /<td class="s" title="3,445,728 bytes">3\.3 MiB<\/td>/,
  );
  assert.match(
    row("folder/"),
    /<td class="s">—<\/td><td class="t">directory<\/td>/,
  );
  assert.match(row("tiny.txt"), /<td class="t">text\/plain<\/td>/);
  const mtime = Deno.statSync(`${root}/tiny.txt`).mtime!.toISOString();
  assert.ok(row("tiny.txt").includes(`<time datetime="${mtime}"`));
});

Deno.test("listing: dotfiles are hidden by default and listed with --dotfiles", async () => {
  const root = await makeDocroot({
    ".env": "SECRET=1",
    ".git/HEAD": "ref",
    "visible.txt": "v",
  });
  {
    await using spidey = await serveFolder(root);
    const res = await getPath(spidey.port, "/");
    assert.deepEqual(namesOf(res.text), ["visible.txt"]);
    const json = await getPath(spidey.port, "/?format=json");
    assert.deepEqual(jsonNames(json), ["visible.txt"]);
  }
  {
    await using spidey = await serveFolder(root, ["--dotfiles"]);
    const res = await getPath(spidey.port, "/");
    assert.deepEqual(namesOf(res.text), [".git", ".env", "visible.txt"]);
  }
});

Deno.test("listing: HEAD sends the headers of GET and no body", async () => {
  const root = await makeDocroot({ "a.txt": "a", "b.txt": "b" });
  await using spidey = await serveFolder(root);
  const full = await getPath(spidey.port, "/");
  const bytes = await rawExchange(
    spidey.port,
    "HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
  );
  const text = new TextDecoder().decode(bytes);
  const headEnd = text.indexOf("\r\n\r\n");
  assert.equal(headEnd + 4, bytes.length, "HEAD response carried a body");
  const [head] = parseResponses(bytes, ["HEAD"]);
  assert.equal(head!.status, 200);
  assert.equal(
    head!.headers.get("content-length"),
    String(full.body.length),
  );
  assert.equal(head!.headers.get("etag"), full.headers.get("etag"));
  assert.equal(head!.headers.get("vary"), "Accept, Accept-Encoding");
});

Deno.test("listing: If-None-Match with the current ETag gets 304", async () => {
  const root = await makeDocroot({ "a.txt": "a" });
  await using spidey = await serveFolder(root);
  const first = await getPath(spidey.port, "/");
  const etag = first.headers.get("etag")!;
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  const again = await getPath(spidey.port, "/", `If-None-Match: ${etag}\r\n`);
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.get("etag"), etag);
  const other = await getPath(spidey.port, "/", `If-None-Match: "nope"\r\n`);
  assert.equal(other.status, 200);
});

/**
 * Waits until a listing of `paths` may carry a date: two seconds past the
 * newest ctime (whole seconds) among them, the server's racy window.
 */
async function waitUntilSettled(...paths: string[]): Promise<void> {
  let newest = 0;
  for (const path of paths) {
    newest = Math.max(newest, Deno.statSync(path).ctime!.getTime());
  }
  const wait = newest + 2000 + 100 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

Deno.test("listing: If-Modified-Since gets 304 once the directory is still, and 200 after a change", async () => {
  const root = await makeDocroot({ "d/a.txt": "a" });
  await using spidey = await serveFolder(root);
  // Just written: another change within the same second would keep the
  // date, so the listing has none yet (the ETag still works).
  await Deno.writeTextFile(`${root}/d/b.txt`, "b");
  const racy = await getPath(spidey.port, "/d/");
  assert.equal(racy.status, 200);
  assert.equal(racy.headers.get("last-modified"), undefined);
  const racyAgain = await getPath(
    spidey.port,
    "/d/",
    `If-None-Match: ${racy.headers.get("etag")}\r\n`,
  );
  assert.equal(racyAgain.status, 304);

  await waitUntilSettled(`${root}/d`, `${root}/d/a.txt`, `${root}/d/b.txt`);
  const first = await getPath(spidey.port, "/d/");
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("etag"), racy.headers.get("etag"));
  const lastModified = first.headers.get("last-modified");
  assert.ok(lastModified !== undefined, "no Last-Modified once settled");
  const date = Date.parse(lastModified);
  assert.equal(
    date,
    Math.floor(Deno.statSync(`${root}/d/b.txt`).ctime!.getTime() / 1000) *
      1000,
  );

  const since = (value: string, more = "") =>
    getPath(spidey.port, "/d/", `If-Modified-Since: ${value}\r\n${more}`);
  const notModified = await since(lastModified);
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body.length, 0);
  assert.equal(notModified.headers.get("last-modified"), lastModified);
  assert.equal(notModified.headers.get("etag"), first.headers.get("etag"));
  assert.equal(notModified.headers.get("vary"), "Accept, Accept-Encoding");
  // The JSON variant shares the directory's date.
  const json = await since(lastModified, "Accept: application/json\r\n");
  assert.equal(json.status, 304);
  assert.equal(
    (await since(new Date(date - 1000).toUTCString())).status,
    200,
  );
  // If-None-Match decides when both are sent, and compares weakly.
  assert.equal(
    (await since(lastModified, 'If-None-Match: "other"\r\n')).status,
    200,
  );
  const weak = await getPath(
    spidey.port,
    "/d/",
    `If-None-Match: W/${first.headers.get("etag")}\r\n`,
  );
  assert.equal(weak.status, 304);
  // If-Match compares strongly and fails with 412.
  const failed = await getPath(spidey.port, "/d/", 'If-Match: "other"\r\n');
  assert.equal(failed.status, 412);
  const matched = await getPath(
    spidey.port,
    "/d/",
    `If-Match: ${first.headers.get("etag")}\r\n`,
  );
  assert.equal(matched.status, 200);

  // An mtime set back in time changes what the listing shows without
  // making anything newer, but it moves the file's ctime: a new date.
  await Deno.utime(`${root}/d/a.txt`, 0, 0);
  await waitUntilSettled(`${root}/d/a.txt`);
  const changed = await since(lastModified);
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get("etag"), first.headers.get("etag"));
  assert.ok(Date.parse(changed.headers.get("last-modified")!) > date);
});

Deno.test("listing: new files appear and size changes show within the staleness bound", async () => {
  const root = await makeDocroot({ "live/old.txt": "1" });
  await using spidey = await serveFolder(root);
  const before = await getPath(spidey.port, "/live/");
  assert.deepEqual(namesOf(before.text), ["old.txt"]);

  await Deno.writeTextFile(`${root}/live/new.txt`, "new");
  await new Promise((r) => setTimeout(r, 1100));
  const after = await getPath(spidey.port, "/live/");
  assert.deepEqual(namesOf(after.text), ["new.txt", "old.txt"]);

  // Growing a file does not touch the directory's mtime: only the
  // one-second bound brings the new size in.
  await getPath(spidey.port, "/live/?format=json");
  await Deno.writeTextFile(`${root}/live/old.txt`, "x".repeat(5000));
  await new Promise((r) => setTimeout(r, 1100));
  const grown = JSON.parse(
    (await getPath(spidey.port, "/live/?format=json")).text,
  );
  const old = grown.entries.find((e: { name: string }) => e.name === "old.txt");
  assert.equal(old.size, 5000);

  await Deno.remove(`${root}/live/new.txt`);
  await new Promise((r) => setTimeout(r, 1100));
  const removed = await getPath(spidey.port, "/live/");
  assert.deepEqual(namesOf(removed.text), ["old.txt"]);
});

Deno.test("listing: broken and escaping symlinks neither break nor leak", async () => {
  const outside = await makeDocroot({ "secret.txt": "s".repeat(4321) });
  const root = await makeDocroot({
    "links/ok.txt": "ok",
    "links/broken": { symlink: "nowhere" },
    "links/loop": { symlink: "loop" },
    "links/escape": { symlink: `${outside}/secret.txt` },
    "links/escape-dir": { symlink: outside },
    "links/inside": { symlink: "ok.txt" },
  });
  await using spidey = await serveFolder(root);
  const res = await getPath(spidey.port, "/links/");
  assert.equal(res.status, 200);
  assert.deepEqual(namesOf(res.text), ["inside", "ok.txt"]);
  assert.ok(!res.text.includes("4,321"));
  assert.ok(!res.text.includes(outside));
  const json = await getPath(spidey.port, "/links/?format=json");
  assert.equal(json.status, 200);
  assert.deepEqual(jsonNames(json), ["inside", "ok.txt"]);
});

Deno.test("listing: a 10,000-entry directory lists fine", async () => {
  const root = await makeDocroot({});
  await Deno.mkdir(`${root}/many`);
  const empty = new Uint8Array(0);
  for (let i = 0; i < 10_000; i++) {
    Deno.writeFileSync(`${root}/many/f${i}.txt`, empty);
  }
  try {
    await using spidey = await serveFolder(root);
    const res = await getPath(spidey.port, "/many/?C=N;O=D");
    assert.equal(res.status, 200);
    const names = namesOf(res.text);
    assert.equal(names.length, 10_000);
    assert.equal(names[0], "f9999.txt");
    assert.equal(names[9_999], "f0.txt");
    const json = await getPath(spidey.port, "/many/?format=json");
    assert.equal(jsonNames(json).length, 10_000);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("listing: images get thumbnail URLs, audio and video get players, the CSP allows them", async () => {
  const root = await makeDocroot({
    "m/photo one.jpg": "not really a jpeg",
    "m/logo.svg": "<svg/>",
    "m/song.mp3": "x",
    "m/clip.webm": "x",
    "m/readme.txt": "x",
  });
  await using spidey = await serveFolder(root);
  const res = await getPath(spidey.port, "/m/");
  assert.equal(res.status, 200);
  const rows = new Map(rowsOf(res.text).map((r) => [r.href, r.html]));
  assert.match(
    rows.get("photo%20one.jpg")!,
    /<img class="th" src="photo%20one\.jpg\?thumbnail" alt="" loading="lazy"/,
  );
  assert.match(
    rows.get("logo.svg")!,
    /<img class="th sv" src="logo\.svg" alt="" loading="lazy"/,
  );
  assert.match(rows.get("song.mp3")!, /<audio controls preload="none"/);
  assert.match(rows.get("clip.webm")!, /<video controls preload="none"/);
  assert.ok(!/<(?:img|audio|video)/.test(rows.get("readme.txt")!));
  const csp = res.headers.get("content-security-policy")!;
  assert.match(csp, /img-src 'self' data:/);
  assert.match(csp, /media-src 'self'/);
});

Deno.test("listing: ?view=grid renders the grid, keeps it in sort links, and is its own variant", async () => {
  const root = await makeDocroot({ "g/a.png": "x", "g/b.txt": "y" });
  await using spidey = await serveFolder(root);
  const table = await getPath(spidey.port, "/g/");
  const grid = await getPath(spidey.port, "/g/?view=grid");
  const sortedGrid = await getPath(spidey.port, "/g/?C=S;O=D;view=grid");
  assert.ok(table.text.includes("<body>"));
  assert.ok(grid.text.includes('<body class="grid">'));
  assert.ok(grid.text.includes('<a href="?C=S;O=A;view=grid">Size</a>'));
  assert.ok(sortedGrid.text.includes('<body class="grid">'));
  assert.deepEqual(namesOf(sortedGrid.text), ["b.txt", "a.png"]);
  assert.notEqual(grid.headers.get("etag"), table.headers.get("etag"));
  // A cached variant must not answer for the other layout.
  const tableAgain = await getPath(spidey.port, "/g/?view=table");
  assert.ok(tableAgain.text.includes("<body>"));
  assert.equal(tableAgain.headers.get("etag"), table.headers.get("etag"));
  // JSON has no layout.
  const json = await getPath(spidey.port, "/g/?format=json;view=grid");
  assert.deepEqual(jsonNames(json), ["a.png", "b.txt"]);
});

Deno.test("listing: an executable index.html is never sent as source at its folder", async () => {
  const root = await makeDocroot({
    "app/index.html": {
      content: "#!/bin/sh\necho SECRET-SOURCE\n",
      mode: 0o755,
    },
  });
  try {
    await using spidey = await serveFolder(root, ["-q"]);
    const res = await getPath(spidey.port, "/app/");
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.text, /SECRET-SOURCE/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
