import assert from "node:assert/strict";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";
import {
  getPath,
  jsonNames,
  namesOf,
  rowsOf,
} from "./helpers/listing_pages.ts";

const HOUR = 3600;
const BASE = Date.UTC(2024, 0, 1) / 1000;

async function sortingDocroot(): Promise<string> {
  const root = await makeDocroot({
    "sorted/a.txt": "x".repeat(300),
    "sorted/b.png": "x".repeat(100),
    "sorted/c.css": "x".repeat(200),
    "sorted/d.json": "x".repeat(400),
    "sorted/zdir/keep": "",
    "sorted/Adir/keep": "",
  });
  // Distinct times, in an order unlike the names: d, b, a, c; Adir < zdir.
  const times: Record<string, number> = {
    "d.json": BASE,
    "b.png": BASE + HOUR,
    "a.txt": BASE + 2 * HOUR,
    "c.css": BASE + 3 * HOUR,
    "Adir": BASE + 4 * HOUR,
    "zdir": BASE + 5 * HOUR,
  };
  for (const [name, t] of Object.entries(times)) {
    await Deno.utime(`${root}/sorted/${name}`, t, t);
  }
  return root;
}

Deno.test("listing: sorts by each column both ways, directories first", async () => {
  const root = await sortingDocroot();
  await using spidey = await serveFolder(root);
  const expected: Record<string, string[]> = {
    "": ["Adir", "zdir", "a.txt", "b.png", "c.css", "d.json"],
    "C=N;O=A": ["Adir", "zdir", "a.txt", "b.png", "c.css", "d.json"],
    "C=N;O=D": ["zdir", "Adir", "d.json", "c.css", "b.png", "a.txt"],
    "C=S;O=A": ["Adir", "zdir", "b.png", "c.css", "a.txt", "d.json"],
    "C=S;O=D": ["zdir", "Adir", "d.json", "a.txt", "c.css", "b.png"],
    "C=M;O=A": ["Adir", "zdir", "d.json", "b.png", "a.txt", "c.css"],
    "C=M;O=D": ["zdir", "Adir", "c.css", "a.txt", "b.png", "d.json"],
    // application/json < image/png < text/css < text/plain
    "C=T;O=A": ["Adir", "zdir", "d.json", "b.png", "c.css", "a.txt"],
    "C=T;O=D": ["zdir", "Adir", "a.txt", "c.css", "b.png", "d.json"],
    "C=S&O=D": ["zdir", "Adir", "d.json", "a.txt", "c.css", "b.png"],
  };
  for (const [query, names] of Object.entries(expected)) {
    const path = query === "" ? "/sorted/" : `/sorted/?${query}`;
    const html = await getPath(spidey.port, path);
    assert.equal(html.status, 200);
    assert.deepEqual(namesOf(html.text), names, `HTML ${query}`);
    const sep = query === "" ? "?" : `?${query};`;
    const json = await getPath(spidey.port, `/sorted/${sep}format=json`);
    assert.deepEqual(jsonNames(json), names, `JSON ${query}`);
  }
  // The active column's header links to the opposite order.
  const bySize = await getPath(spidey.port, "/sorted/?C=S;O=A");
  assert.match(bySize.text, /aria-sort="ascending"><a href="\?C=S;O=D">Size/);
  const mtimeRow = rowsOf(bySize.text).find((r) => r.href === "a.txt")!;
  assert.ok(
    mtimeRow.html.includes(
      `<time datetime="${new Date((BASE + 2 * HOUR) * 1000).toISOString()}"`,
    ),
  );
});

Deno.test("listing: JSON by Accept and by ?format=json, with Vary: Accept on both", async () => {
  const root = await makeDocroot({
    "d/file.txt": "hello",
    "d/sub/x": "",
  });
  await using spidey = await serveFolder(root);
  const html = await getPath(spidey.port, "/d/");
  assert.equal(html.headers.get("vary"), "Accept, Accept-Encoding");
  assert.match(html.headers.get("content-type")!, /^text\/html/);

  const byAccept = await getPath(
    spidey.port,
    "/d/",
    "Accept: text/html;q=0.5, application/json\r\n",
  );
  assert.equal(byAccept.status, 200);
  assert.equal(byAccept.headers.get("content-type"), "application/json");
  assert.equal(byAccept.headers.get("vary"), "Accept, Accept-Encoding");
  const doc = JSON.parse(byAccept.text);
  assert.equal(doc.path, "/d/");
  const mtime = Deno.statSync(`${root}/d/file.txt`).mtime!.toISOString();
  assert.deepEqual(doc.entries[1], {
    name: "file.txt",
    type: "file",
    size: 5,
    mtime,
    mime: "text/plain",
  });
  assert.equal(doc.entries[0].name, "sub");
  assert.equal(doc.entries[0].type, "directory");

  const byQuery = await getPath(spidey.port, "/d/?format=json");
  assert.equal(byQuery.headers.get("content-type"), "application/json");
  assert.equal(byQuery.headers.get("vary"), "Accept, Accept-Encoding");
  assert.deepEqual(JSON.parse(byQuery.text), doc);

  const browser = await getPath(
    spidey.port,
    "/d/",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n",
  );
  assert.match(browser.headers.get("content-type")!, /^text\/html/);
  const preferHtml = await getPath(
    spidey.port,
    "/d/",
    "Accept: text/html, application/json;q=0.9\r\n",
  );
  assert.match(preferHtml.headers.get("content-type")!, /^text\/html/);
  // The two representations have different validators.
  assert.notEqual(byQuery.headers.get("etag"), html.headers.get("etag"));
});
