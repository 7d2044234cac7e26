import assert from "node:assert/strict";
import {
  isExecutable,
  isInside,
  type Resolution,
  resolveInDocroot,
} from "../lib/server/core/docroot.ts";

/** A temp dir holding `www/` (the root) and `secret.txt` next to it. */
async function setup(): Promise<{ base: string; root: string }> {
  const base = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-docroot-" }),
  );
  const root = `${base}/www`;
  await Deno.mkdir(`${root}/sub/deeper`, { recursive: true });
  await Deno.mkdir(`${root}/.git`);
  await Deno.writeTextFile(`${base}/secret.txt`, "SECRET");
  await Deno.mkdir(`${base}/outside`);
  await Deno.writeTextFile(`${base}/outside/x.txt`, "SECRET");
  await Deno.writeTextFile(`${root}/index.txt`, "hi");
  await Deno.writeTextFile(`${root}/sub/a b.txt`, "a b");
  await Deno.writeTextFile(`${root}/.env`, "KEY=1");
  await Deno.writeTextFile(`${root}/.git/config`, "[core]");
  await Deno.writeTextFile(`${root}/script.cgi`, "#!/bin/sh\n");
  await Deno.chmod(`${root}/script.cgi`, 0o755);
  await Deno.symlink(`${base}/secret.txt`, `${root}/leak.txt`);
  await Deno.symlink(`${base}/outside`, `${root}/leakdir`);
  await Deno.symlink(`${root}/sub/a b.txt`, `${root}/inside-link.txt`);
  await Deno.symlink(`${root}/sub`, `${root}/sublink`);
  await Deno.symlink(`${base}/nowhere`, `${root}/dangling`);
  return { base, root };
}

const HIDE = { dotfiles: false };
const SHOW = { dotfiles: true };

function kind(r: Resolution): string {
  return r.kind;
}

Deno.test("resolveInDocroot finds files, directories and redirects", async () => {
  const { base, root } = await setup();
  try {
    const file = resolveInDocroot(root, "/index.txt", HIDE);
    assert.equal(file.kind, "file");
    assert.equal(file.kind === "file" && file.fsPath, `${root}/index.txt`);
    const spaced = resolveInDocroot(root, "/sub/a b.txt", HIDE);
    assert.equal(spaced.kind, "file");
    const dir = resolveInDocroot(root, "/sub/", HIDE);
    assert.ok(dir.kind === "directory");
    assert.deepEqual(
      { fsPath: dir.fsPath, urlPath: dir.urlPath, isDir: dir.info.isDirectory },
      { fsPath: `${root}/sub`, urlPath: "/sub/", isDir: true },
    );
    const top = resolveInDocroot(root, "/", HIDE);
    assert.ok(top.kind === "directory");
    assert.deepEqual(
      { fsPath: top.fsPath, urlPath: top.urlPath },
      { fsPath: root, urlPath: "/" },
    );
    assert.deepEqual(resolveInDocroot(root, "/sub", HIDE), {
      kind: "redirect",
      location: "/sub/",
    });
    assert.equal(kind(resolveInDocroot(root, "/missing", HIDE)), "not-found");
    assert.equal(
      kind(resolveInDocroot(root, "/index.txt/", HIDE)),
      "not-found",
    );
    assert.equal(kind(resolveInDocroot(root, "/dangling", HIDE)), "not-found");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveInDocroot refuses dot segments and backslashes", async () => {
  const { base, root } = await setup();
  try {
    for (
      const path of [
        "/..",
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/sub/./a b.txt",
        "/./",
        "/..\\secret.txt",
        "/sub\\..\\..\\secret.txt",
        "\\secret.txt",
        "secret.txt",
        "",
      ]
    ) {
      assert.equal(
        kind(resolveInDocroot(root, path, SHOW)),
        "bad-request",
        path,
      );
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveInDocroot keeps symlinks from leaving the root", async () => {
  const { base, root } = await setup();
  try {
    assert.equal(kind(resolveInDocroot(root, "/leak.txt", HIDE)), "forbidden");
    assert.equal(kind(resolveInDocroot(root, "/leakdir/", HIDE)), "forbidden");
    assert.equal(kind(resolveInDocroot(root, "/leakdir", HIDE)), "forbidden");
    assert.equal(
      kind(resolveInDocroot(root, "/leakdir/x.txt", HIDE)),
      "forbidden",
    );
    assert.equal(
      kind(resolveInDocroot(root, "/inside-link.txt", HIDE)),
      "file",
    );
    assert.equal(
      kind(resolveInDocroot(root, "/sublink/a b.txt", HIDE)),
      "file",
    );
    assert.equal(kind(resolveInDocroot(root, "/sublink/", HIDE)), "directory");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveInDocroot hides dotfiles unless allowed", async () => {
  const { base, root } = await setup();
  try {
    assert.equal(kind(resolveInDocroot(root, "/.env", HIDE)), "not-found");
    assert.equal(
      kind(resolveInDocroot(root, "/.git/config", HIDE)),
      "not-found",
    );
    assert.equal(kind(resolveInDocroot(root, "/.git/", HIDE)), "not-found");
    assert.equal(kind(resolveInDocroot(root, "/.env", SHOW)), "file");
    assert.equal(kind(resolveInDocroot(root, "/.git/config", SHOW)), "file");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveInDocroot redirects never start with // or /\\", async () => {
  const { base, root } = await setup();
  try {
    await Deno.mkdir(`${root}/evil.com`);
    for (const path of ["//evil.com", "///evil.com", "/sub//deeper", "//sub"]) {
      const r = resolveInDocroot(root, path, HIDE);
      assert.equal(r.kind, "redirect", path);
      if (r.kind === "redirect") {
        assert.ok(!r.location.startsWith("//"), r.location);
        assert.ok(r.location.startsWith("/"), r.location);
        assert.ok(r.location.endsWith("/"), r.location);
      }
    }
    assert.equal(
      kind(resolveInDocroot(root, "/\\evil.com", HIDE)),
      "bad-request",
    );
    const enc = resolveInDocroot(root, "/sub/deeper", HIDE);
    assert.deepEqual(enc, { kind: "redirect", location: "/sub/deeper/" });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveInDocroot finds CGI scripts and their PATH_INFO", async () => {
  const { base, root } = await setup();
  try {
    const whole = resolveInDocroot(root, "/script.cgi", HIDE);
    assert.equal(whole.kind, "cgi");
    const info = resolveInDocroot(root, "/script.cgi/extra/path/", HIDE);
    assert.equal(info.kind, "cgi");
    if (info.kind === "cgi") {
      assert.equal(info.scriptName, "/script.cgi");
      assert.equal(info.pathInfo, "/extra/path/");
    }
    // A plain file cannot take PATH_INFO.
    assert.equal(
      kind(resolveInDocroot(root, "/index.txt/x", HIDE)),
      "not-found",
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("isInside and isExecutable", () => {
  assert.equal(isInside("/srv/www", "/srv/www"), true);
  assert.equal(isInside("/srv/www", "/srv/www/a"), true);
  assert.equal(isInside("/srv/www", "/srv/www2/a"), false);
  assert.equal(isInside("/srv/www", "/srv"), false);
  assert.equal(isInside("/", "/etc/passwd"), true);
  const info = Deno.statSync(Deno.execPath());
  assert.equal(isExecutable(info), true);
});
