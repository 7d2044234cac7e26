/**
 * Opening and listing bound to the document root: what is read is what
 * was checked, links leading out are refused, FIFOs never block, and a
 * handle checked before is reused only while it is the same inode.
 */

import assert from "node:assert/strict";
import {
  hasProcFd,
  inspectConfined,
  openConfinedFile,
  readConfinedDirectory,
} from "../lib/server/core/confined_open.ts";

/** `base/www` is the root; `base/outside/` sits next to it. */
async function tree(): Promise<{ base: string; root: string }> {
  const base = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-confined-" }),
  );
  const root = `${base}/www`;
  await Deno.mkdir(`${root}/sub`, { recursive: true });
  await Deno.mkdir(`${base}/outside`);
  await Deno.writeTextFile(`${root}/a.txt`, "inside a");
  await Deno.writeTextFile(`${root}/sub/b.txt`, "inside b");
  await Deno.writeTextFile(`${base}/outside/secret.txt`, "SECRET");
  await Deno.symlink("sub/b.txt", `${root}/in-link`);
  await Deno.symlink(`${base}/outside/secret.txt`, `${root}/out-link`);
  await Deno.symlink(`${base}/outside`, `${root}/out-dir`);
  await Deno.symlink("sub", `${root}/in-dir`);
  return { base, root };
}

function readAll(file: { readSync(b: Uint8Array, p: number): number }) {
  const buf = new Uint8Array(64);
  const n = file.readSync(buf, 0);
  return new TextDecoder().decode(buf.subarray(0, n));
}

Deno.test("files open bound inside the root, links out are refused", async () => {
  const { base, root } = await tree();
  try {
    const a = openConfinedFile(root, `${root}/a.txt`);
    assert.ok(typeof a !== "string");
    try {
      assert.equal(a.realPath, `${root}/a.txt`);
      assert.equal(readAll(a), "inside a");
      assert.equal(a.info.size, 8);
    } finally {
      a.close();
    }
    const linked = openConfinedFile(root, `${root}/in-link`);
    assert.ok(typeof linked !== "string");
    assert.equal(linked.realPath, `${root}/sub/b.txt`);
    assert.equal(readAll(linked), "inside b");
    linked.close();
    assert.equal(openConfinedFile(root, `${root}/out-link`), "forbidden");
    assert.equal(
      openConfinedFile(root, `${root}/out-dir/secret.txt`),
      "forbidden",
    );
    assert.equal(openConfinedFile(root, `${root}/missing`), "not-found");
    assert.equal(openConfinedFile(root, `${root}/a.txt/x`), "not-found");
    assert.equal(openConfinedFile(root, `${root}/sub`), "not-found");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a FIFO is refused without blocking", async () => {
  const { base, root } = await tree();
  try {
    const made = await new Deno.Command("mkfifo", { args: [`${root}/pipe`] })
      .output();
    assert.ok(made.success);
    // A blocking open would hang here until a writer came.
    assert.equal(openConfinedFile(root, `${root}/pipe`), "forbidden");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a known handle is reused only while it is the same inode", async () => {
  const { base, root } = await tree();
  try {
    const first = openConfinedFile(root, `${root}/a.txt`);
    assert.ok(typeof first !== "string");
    first.close();
    const again = openConfinedFile(root, `${root}/a.txt`, first);
    assert.ok(typeof again !== "string");
    assert.equal(again.info.ino, first.info.ino);
    again.close();

    // Replaced by a rename: a new inode, checked in full, new identity.
    await Deno.writeTextFile(`${root}/a.new`, "replaced");
    await Deno.rename(`${root}/a.new`, `${root}/a.txt`);
    const fresh = openConfinedFile(root, `${root}/a.txt`, first);
    assert.ok(typeof fresh !== "string");
    assert.notEqual(fresh.info.ino, first.info.ino);
    assert.equal(readAll(fresh), "replaced");
    fresh.close();

    // The path now leads out: the known identity does not vouch for it.
    await Deno.remove(`${root}/a.txt`);
    await Deno.symlink(`${base}/outside/secret.txt`, `${root}/a.txt`);
    assert.equal(openConfinedFile(root, `${root}/a.txt`, first), "forbidden");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("inspecting tells real paths and kinds without reading", async () => {
  const { base, root } = await tree();
  try {
    const dir = inspectConfined(root, `${root}/in-dir`);
    assert.ok(typeof dir !== "string");
    assert.equal(dir.realPath, `${root}/sub`);
    assert.equal(dir.info.isDirectory, true);
    const top = inspectConfined(root, root);
    assert.ok(typeof top !== "string" && top.realPath === root);
    assert.equal(inspectConfined(root, `${root}/out-dir`), "forbidden");
    assert.equal(inspectConfined(root, `${root}/nope`), "not-found");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("directories are listed through the checked handle", async () => {
  const { base, root } = await tree();
  try {
    const names = readConfinedDirectory(
      root,
      `${root}/in-dir`,
      (dirPath, dir) => {
        assert.equal(dir.realPath, `${root}/sub`);
        if (hasProcFd()) assert.match(dirPath, /^\/proc\/self\/fd\/\d+$/);
        // Entries are reachable under the path handed over.
        assert.equal(Deno.lstatSync(`${dirPath}/b.txt`).isFile, true);
        return [...Deno.readDirSync(dirPath)].map((e) => e.name).sort();
      },
    );
    assert.deepEqual(names, ["b.txt"]);
    const never = () => assert.fail("read an outside directory");
    assert.equal(
      readConfinedDirectory(root, `${root}/out-dir`, never),
      "forbidden",
    );
    assert.equal(
      readConfinedDirectory(root, `${root}/a.txt`, never),
      "not-found",
    );
    assert.equal(
      readConfinedDirectory(root, `${root}/gone`, never),
      "not-found",
    );

    // A directory that is no longer the one checked before is stale.
    const known = inspectConfined(root, `${root}/sub`);
    assert.ok(typeof known !== "string");
    await Deno.rename(`${root}/sub`, `${root}/old-sub`);
    await Deno.mkdir(`${root}/sub`);
    assert.equal(
      readConfinedDirectory(root, `${root}/sub`, never, known),
      "not-found",
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
