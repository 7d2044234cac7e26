import assert from "node:assert/strict";
import { readDirectoryChildren } from "../lib/server/core/directory_children.ts";
import { TEMP_UPLOAD_PREFIX } from "../lib/server/core/hidden_names.ts";

async function tree(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/a.txt`, "a");
  await Deno.writeTextFile(`${root}/run.cgi`, "#!/bin/sh\n", { mode: 0o755 });
  await Deno.writeTextFile(`${root}/.env`, "x");
  await Deno.writeTextFile(`${root}/${TEMP_UPLOAD_PREFIX}1234`, "partial");
  await Deno.mkdir(`${root}/sub`);
  return root;
}

function namesOf(root: string, dotfiles: boolean, skip = false): string[] {
  return readDirectoryChildren(root, root, {
    root,
    dotfiles,
    skipExecutables: skip,
  }).map((c) => c.name).sort();
}

Deno.test("readDirectoryChildren hides temporary uploads even with dotfiles", async () => {
  const root = await tree();
  try {
    assert.deepEqual(namesOf(root, false), ["a.txt", "run.cgi", "sub"]);
    assert.deepEqual(namesOf(root, true), [".env", "a.txt", "run.cgi", "sub"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readDirectoryChildren leaves executables out when asked", async () => {
  const root = await tree();
  try {
    assert.deepEqual(namesOf(root, false, true), ["a.txt", "sub"]);
    const sub = readDirectoryChildren(root, root, { root, dotfiles: false })
      .find((c) => c.name === "sub");
    assert.equal(sub?.realPath, `${root}/sub`);
    assert.ok(sub?.info.isDirectory);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
