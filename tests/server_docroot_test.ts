import assert from "node:assert/strict";
import {
  DocrootResolver,
  isExecutable,
  isInside,
  type Resolution,
  resolveInDocroot,
} from "../lib/server/core/docroot.ts";
import { FsWatch, type WatchSink } from "../lib/server/core/fs_watch.ts";

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

Deno.test("verdicts carry the checked real path; CGI runs that one", async () => {
  const { base, root } = await setup();
  try {
    await Deno.symlink("script.cgi", `${root}/script-link.cgi`);
    const linked = resolveInDocroot(root, "/inside-link.txt", HIDE);
    assert.ok(linked.kind === "file");
    assert.equal(linked.fsPath, `${root}/inside-link.txt`);
    assert.equal(linked.realPath, `${root}/sub/a b.txt`);
    const script = resolveInDocroot(root, "/script-link.cgi/more", HIDE);
    assert.ok(script.kind === "cgi");
    assert.equal(script.realPath, `${root}/script.cgi`);
    assert.equal(script.pathInfo, "/more");
    const dir = resolveInDocroot(root, "/sublink/", HIDE);
    assert.ok(dir.kind === "directory" && dir.realPath === `${root}/sub`);
    // A FIFO is neither file nor directory: refused, never opened.
    const made = await new Deno.Command("mkfifo", { args: [`${root}/pipe`] })
      .output();
    assert.ok(made.success);
    assert.equal(kind(resolveInDocroot(root, "/pipe", HIDE)), "forbidden");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

/** A watch of `root` whose events the test sends. */
function handWatch(root: string): { watch: FsWatch; sink: () => WatchSink } {
  let sink: WatchSink | null = null;
  const watch = new FsWatch(root, {
    source: {
      start: (_root, s) => sink = s,
      close: () => sink = null,
    },
  });
  sink!.ready();
  return { watch, sink: () => sink! };
}

Deno.test("DocrootResolver keeps verdicts until a change is reported", async () => {
  const { base, root } = await setup();
  const { watch, sink } = handWatch(root);
  const resolver = new DocrootResolver(root, { dotfiles: false, watch });
  try {
    const first = resolver.resolve("/index.txt");
    assert.equal(resolver.resolve("/index.txt"), first);
    const missing = resolver.resolve("/sub/new.txt");
    assert.equal(missing.kind, "not-found");
    await Deno.writeTextFile(`${root}/sub/new.txt`, "new");
    assert.equal(resolver.resolve("/sub/new.txt"), missing, "not reported yet");
    sink().event("create", [`${root}/sub/new.txt`], false);
    assert.equal(resolver.resolve("/sub/new.txt").kind, "file");
    assert.equal(resolver.resolve("/index.txt"), first, "others stay");

    // Through a symlink, any change may matter (a link to a link).
    const viaLink = resolver.resolve("/sublink/a b.txt");
    assert.equal(viaLink.kind, "file");
    sink().event("modify", [`${root}/index.txt`], false);
    assert.notEqual(resolver.resolve("/sublink/a b.txt"), viaLink);

    // Refusals of the URL itself are not kept.
    resolver.resolve("/../x");
    resolver.resolve("/.env");
    const held = resolver.cached;
    resolver.resolve("/../y");
    assert.equal(resolver.cached, held);
  } finally {
    resolver.close();
    watch.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("DocrootResolver watches dangling links and linked parents", async () => {
  const { base, root } = await setup();
  const { watch, sink } = handWatch(root);
  const resolver = new DocrootResolver(root, { dotfiles: false, watch });
  try {
    await Deno.symlink(`${root}/sub/later.txt`, `${root}/later-link`);
    assert.equal(resolver.resolve("/later-link").kind, "not-found");
    assert.equal(resolver.resolve("/sublink/later.txt").kind, "not-found");
    await Deno.writeTextFile(`${root}/sub/later.txt`, "here");
    // The event names the target only, not the link nor the linked path.
    sink().event("create", [`${root}/sub/later.txt`], false);
    assert.equal(resolver.resolve("/later-link").kind, "file");
    assert.equal(resolver.resolve("/sublink/later.txt").kind, "file");
  } finally {
    resolver.close();
    watch.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("DocrootResolver checks a hard-linked file again every second", async () => {
  const { base, root } = await setup();
  let sink: WatchSink | null = null;
  let now = 0;
  const watch = new FsWatch(root, {
    source: { start: (_root, s) => sink = s, close: () => sink = null },
    now: () => now,
  });
  sink!.ready();
  const resolver = new DocrootResolver(root, { dotfiles: false, watch });
  try {
    await Deno.link(`${root}/index.txt`, `${base}/other-name.txt`);
    const first = resolver.resolve("/index.txt");
    const plain = resolver.resolve("/sub/a b.txt");
    // Written through the name outside the tree: no event comes.
    await Deno.writeTextFile(`${base}/other-name.txt`, "changed elsewhere");
    now += 999;
    assert.equal(resolver.resolve("/index.txt"), first);
    now += 1;
    const again = resolver.resolve("/index.txt");
    assert.ok(again.kind === "file" && again.info.size === 17);
    assert.equal(resolver.resolve("/sub/a b.txt"), plain, "one name: kept");
  } finally {
    resolver.close();
    watch.close();
    await Deno.remove(base, { recursive: true });
  }
});
