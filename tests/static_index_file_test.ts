import assert from "node:assert/strict";
import {
  IndexFileLookup,
  RACY_WINDOW_MS,
} from "../lib/server/static/index_file.ts";

Deno.test("IndexFileLookup finds index.html and remembers only settled absences", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spidey-index-" });
  try {
    let now = Date.now();
    const lookup = new IndexFileLookup(() => now);
    // A directory changed just now is checked every time (racy window).
    assert.equal(lookup.find(dir, Deno.statSync(dir)), null);
    await Deno.writeTextFile(`${dir}/index.html`, "<h1>hi</h1>");
    assert.ok(lookup.find(dir, Deno.statSync(dir))?.isFile);

    await Deno.remove(`${dir}/index.html`);
    now = Date.now() + RACY_WINDOW_MS + 10;
    const settled = Deno.statSync(dir);
    assert.equal(lookup.find(dir, settled), null);
    // Same directory version: remembered, even if a file appeared without
    // the directory's stat being taken again (proves the memory is used).
    await Deno.writeTextFile(`${dir}/index.html`, "<h1>back</h1>");
    assert.equal(lookup.find(dir, settled), null);
    // The new stat differs (mtime moved), so the index is found again.
    const changed = Deno.statSync(dir);
    if (changed.mtime?.getTime() !== settled.mtime?.getTime()) {
      assert.ok(lookup.find(dir, changed)?.isFile);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("IndexFileLookup treats a directory named index.html as no index", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spidey-index-" });
  try {
    await Deno.mkdir(`${dir}/index.html`);
    const lookup = new IndexFileLookup();
    assert.equal(lookup.find(dir, Deno.statSync(dir)), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
