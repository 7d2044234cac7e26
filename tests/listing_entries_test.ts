import assert from "node:assert/strict";
import { readDirectoryEntries } from "../lib/server/listing/entries.ts";
import { makeDocroot } from "./helpers/spidey_process.ts";

async function fixture(): Promise<{ root: string; outside: string }> {
  const outside = await makeDocroot({ "secret.txt": "top secret contents" });
  const root = await makeDocroot({
    "a.txt": "hello",
    "page.html": "<p>",
    "sub/inner.txt": "x",
    ".env": "KEY=1",
    ".git/HEAD": "ref",
    "broken": { symlink: "does-not-exist" },
    "escape-file": { symlink: `${outside}/secret.txt` },
    "escape-dir": { symlink: outside },
    "escape-relative": { symlink: "../../../../../../etc/passwd" },
    "inside-file": { symlink: "a.txt" },
    "inside-dir": { symlink: "sub" },
    "loop": { symlink: "loop" },
  });
  return { root: await Deno.realPath(root), outside };
}

Deno.test("readDirectoryEntries reports type, size, time and media type", async () => {
  const { root } = await fixture();
  const byName = new Map(
    readDirectoryEntries(root, { dotfiles: false, root }).entries.map((
      e,
    ) => [e.name, e]),
  );
  const a = byName.get("a.txt")!;
  assert.equal(a.isDirectory, false);
  assert.equal(a.size, 5);
  assert.equal(a.mime, "text/plain");
  assert.equal(a.mtimeMs, Deno.statSync(`${root}/a.txt`).mtime!.getTime());
  assert.equal(byName.get("page.html")!.mime, "text/html");
  const sub = byName.get("sub")!;
  assert.equal(sub.isDirectory, true);
  assert.equal(sub.mime, null);
});

Deno.test("readDirectoryEntries hides dotfiles unless asked", async () => {
  const { root } = await fixture();
  const hidden = readDirectoryEntries(root, { dotfiles: false, root }).entries
    .map((
      e,
    ) => e.name);
  assert.ok(!hidden.some((n) => n.startsWith(".")));
  const shown = readDirectoryEntries(root, { dotfiles: true, root }).entries
    .map((e) => e.name);
  assert.ok(shown.includes(".env"));
  assert.ok(shown.includes(".git"));
});

Deno.test("readDirectoryEntries follows symlinks only inside the root", async () => {
  const { root } = await fixture();
  const entries = readDirectoryEntries(root, { dotfiles: false, root }).entries;
  const names = entries.map((e) => e.name).sort();
  assert.deepEqual(names, [
    "a.txt",
    "inside-dir",
    "inside-file",
    "page.html",
    "sub",
  ]);
  const insideFile = entries.find((e) => e.name === "inside-file")!;
  assert.equal(insideFile.size, 5);
  assert.equal(entries.find((e) => e.name === "inside-dir")!.isDirectory, true);
});

Deno.test("readDirectoryEntries never reveals what an escaping link points at", async () => {
  const { root, outside } = await fixture();
  // Listing the root as if it were only the sub directory: the link to
  // "../a.txt" from there must count as outside.
  const subRoot = `${root}/sub`;
  await Deno.symlink("../a.txt", `${subRoot}/up-link`);
  const inSub = readDirectoryEntries(subRoot, {
    dotfiles: false,
    root: subRoot,
  }).entries;
  assert.deepEqual(inSub.map((e) => e.name), ["inner.txt"]);
  const listed = readDirectoryEntries(root, { dotfiles: true, root }).entries;
  const names = listed.map((e) => e.name);
  for (const escaping of ["escape-file", "escape-dir", "escape-relative"]) {
    assert.ok(!names.includes(escaping), `${escaping} is listed`);
  }
  // Nothing listed carries the outside file's size or path.
  const secretSize = "top secret contents".length;
  assert.ok(!listed.some((e) => e.size === secretSize));
  assert.ok(!JSON.stringify(listed).includes(outside));
});

Deno.test("readDirectoryEntries skips FIFOs and other special files", async () => {
  const root = await Deno.realPath(await makeDocroot({ "a.txt": "x" }));
  const mkfifo = new Deno.Command("mkfifo", { args: [`${root}/pipe`] });
  const { success } = await mkfifo.output();
  assert.ok(success, "mkfifo failed");
  const names = readDirectoryEntries(root, { dotfiles: false, root }).entries
    .map((e) => e.name);
  assert.deepEqual(names, ["a.txt"]);
});

Deno.test("readDirectoryEntries throws NotFound for a missing directory", () => {
  assert.throws(
    () =>
      readDirectoryEntries("/definitely/not/here", {
        dotfiles: false,
        root: "/",
      }),
    Deno.errors.NotFound,
  );
});

Deno.test("readDirectoryEntries reports the newest change among listed entries", async () => {
  const root = await Deno.realPath(
    await makeDocroot({ "old.txt": "o", "new.txt": "n", ".hidden": "h" }),
  );
  const statChange = (name: string) =>
    Deno.statSync(`${root}/${name}`).ctime!.getTime();
  const read = () => readDirectoryEntries(root, { dotfiles: false, root });
  // ctimes have whole seconds: wait for the next one so a change shows.
  await new Promise((r) => setTimeout(r, 1100));
  // Setting an mtime into the past still moves the ctime forward.
  await Deno.utime(`${root}/new.txt`, 0, 0);
  const after = read();
  assert.equal(after.changedMs, statChange("new.txt"));
  assert.ok(after.changedMs! > statChange("old.txt"));
  assert.equal(
    after.entries.find((e) => e.name === "new.txt")!.mtimeMs,
    0,
  );
  // A hidden entry is not listed, so its change does not count.
  await new Promise((r) => setTimeout(r, 1100));
  await Deno.writeTextFile(`${root}/.hidden`, "changed");
  assert.equal(read().changedMs, after.changedMs);
  assert.ok(statChange(".hidden") > after.changedMs!);
  const empty = await Deno.realPath(await makeDocroot({}));
  assert.equal(
    readDirectoryEntries(empty, { dotfiles: false, root: empty }).changedMs,
    null,
  );
});

Deno.test("readDirectoryEntries lists 10,000 entries", async () => {
  const root = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "spidey-test-" }),
  );
  for (let i = 0; i < 10_000; i++) {
    Deno.writeFileSync(`${root}/f${i}`, new Uint8Array(0));
  }
  try {
    const entries =
      readDirectoryEntries(root, { dotfiles: false, root }).entries;
    assert.equal(entries.length, 10_000);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
