/**
 * Docroot confinement against a real spidey: every known way of naming a
 * file outside the root is refused, dotfiles stay hidden, and the
 * add-a-slash redirect can never become an open redirect.
 */

import assert from "node:assert/strict";
import { parseResponses, rawExchange } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

const SECRET = "TOP-SECRET-7c1f";

/** `base/www` is the root; `base/secret.txt` and `base/outside/` sit next to it. */
async function traversalTree(): Promise<{ base: string; root: string }> {
  const base = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-traversal-" }),
  );
  const root = `${base}/www`;
  await Deno.mkdir(`${root}/sub`, { recursive: true });
  await Deno.mkdir(`${root}/.git`);
  await Deno.mkdir(`${root}/evil.com`);
  await Deno.mkdir(`${base}/outside`);
  await Deno.writeTextFile(`${base}/secret.txt`, SECRET);
  await Deno.writeTextFile(`${base}/outside/secret.txt`, SECRET);
  await Deno.writeTextFile(`${root}/index.txt`, "public\n");
  await Deno.writeTextFile(`${root}/sub/page.txt`, "page\n");
  await Deno.writeTextFile(`${root}/.env`, `KEY=${SECRET}`);
  await Deno.writeTextFile(`${root}/.git/config`, `[core] ${SECRET}`);
  await Deno.writeTextFile(`${root}/sub/.hidden`, SECRET);
  await Deno.symlink(`${base}/secret.txt`, `${root}/file-link.txt`);
  await Deno.symlink("../secret.txt", `${root}/relative-link.txt`);
  await Deno.symlink(`${base}/outside`, `${root}/dir-link`);
  await Deno.symlink(`${root}/sub/page.txt`, `${root}/inside-link.txt`);
  await Deno.symlink("sub", `${root}/inside-dir`);
  return { base, root };
}

async function get(port: number, target: string, host = "localhost") {
  const bytes = await rawExchange(
    port,
    `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  const text = new TextDecoder().decode(bytes);
  assert.ok(bytes.length > 0, `no answer to ${target}`);
  return { res: parseResponses(bytes)[0]!, text };
}

Deno.test("spidey keeps every request inside the document root", async (t) => {
  const { base, root } = await traversalTree();
  try {
    await using spidey = await serveFolder(root, ["-q"]);
    const port = spidey.port;

    await t.step(
      "the secret is reachable only through the file system",
      async () => {
        const { res } = await get(port, "/index.txt");
        assert.equal(res.status, 200);
        assert.equal(res.text, "public\n");
      },
    );

    const attacks = [
      "/../secret.txt",
      "/sub/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/.%2e/secret.txt",
      "/%2e./secret.txt",
      "/sub/%2e%2e/%2e%2e/secret.txt",
      "/%252e%252e/secret.txt",
      "/%252e%252e%252fsecret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/sub%2f..%2f..%2fsecret.txt",
      "/..\\secret.txt",
      "/sub\\..\\..\\secret.txt",
      "/..%5csecret.txt",
      "/%5c..%5csecret.txt",
      "/secret.txt%00.txt",
      "/..%00/secret.txt",
      "/%c0%ae%c0%ae/secret.txt",
      "/%c0%2e%c0%2e/secret.txt",
      "/%e0%80%ae%e0%80%ae/secret.txt",
      "http://x/../secret.txt",
      "http://x/%2e%2e/secret.txt",
      "//../secret.txt",
      "/./../secret.txt",
      "/file-link.txt",
      "/relative-link.txt",
      "/dir-link/secret.txt",
      "/dir-link/",
      "/dir-link",
      `/${root.slice(1)}/../secret.txt`,
      `//${base.slice(1)}/secret.txt`,
      "//etc/passwd",
      "/etc/passwd",
    ];
    await t.step("traversal attempts are refused and never leak", async () => {
      for (const target of attacks) {
        const { res, text } = await get(port, target);
        assert.ok(
          [400, 403, 404].includes(res.status),
          `${target} → ${res.status}`,
        );
        assert.ok(!text.includes(SECRET), `${target} leaked the secret`);
        assert.ok(!text.includes("root:"), `${target} leaked /etc/passwd`);
      }
    });

    await t.step(
      "dot segments are refused, not normalised away",
      async () => {
        for (
          const target of [
            "/sub/../index.txt",
            "/%2e%2e/www/index.txt",
            "/./index.txt",
          ]
        ) {
          const { res } = await get(port, target);
          assert.equal(res.status, 400, target);
        }
      },
    );

    await t.step("dotfiles are neither served nor listed", async () => {
      for (
        const target of [
          "/.env",
          "/.git/config",
          "/.git/",
          "/sub/.hidden",
          "/%2eenv",
        ]
      ) {
        const { res, text } = await get(port, target);
        assert.equal(res.status, 404, target);
        assert.ok(!text.includes(SECRET), target);
      }
      const listing = await get(port, "/");
      assert.equal(listing.res.status, 200);
      assert.ok(listing.res.text.includes("index.txt"));
      assert.ok(!listing.res.text.includes(".env"), "listing hides .env");
      assert.ok(!listing.res.text.includes(".git"), "listing hides .git");
    });

    await t.step(
      "the add-a-slash redirect is never an open redirect",
      async () => {
        for (
          const target of [
            "//evil.com",
            "///evil.com",
            "//evil.com?x=1",
            "/%2fevil.com",
            "/%2F%2Fevil.com",
            "//evil.com/..",
            "/\\evil.com",
            "/%5cevil.com",
            "/\\/evil.com",
            "http://x//evil.com",
          ]
        ) {
          const { res } = await get(port, target);
          const location = res.headers.get("location");
          if (location !== undefined) {
            assert.ok(!location.startsWith("//"), `${target} → ${location}`);
            assert.ok(!location.startsWith("/\\"), `${target} → ${location}`);
            assert.ok(location.startsWith("/"), `${target} → ${location}`);
          }
          assert.ok(
            [301, 400, 404].includes(res.status),
            `${target} → ${res.status}`,
          );
        }
        const { res } = await get(port, "//evil.com");
        assert.equal(res.status, 301);
        assert.equal(res.headers.get("location"), "/evil.com/");
      },
    );

    await t.step("symlinks that stay inside the root work", async () => {
      assert.equal((await get(port, "/inside-link.txt")).res.text, "page\n");
      assert.equal(
        (await get(port, "/inside-dir/page.txt")).res.text,
        "page\n",
      );
      assert.equal((await get(port, "/inside-dir/")).res.status, 200);
    });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("spidey --dotfiles serves and lists dotfiles, still inside the root", async () => {
  const { base, root } = await traversalTree();
  try {
    await using spidey = await serveFolder(root, ["-q", "--dotfiles"]);
    const env = await get(spidey.port, "/.env");
    assert.equal(env.res.status, 200);
    assert.equal(env.res.text, `KEY=${SECRET}`);
    assert.equal((await get(spidey.port, "/.git/config")).res.status, 200);
    const listing = await get(spidey.port, "/");
    assert.ok(listing.res.text.includes(".env"));
    for (
      const target of ["/../secret.txt", "/.%2e/secret.txt", "/file-link.txt"]
    ) {
      const { res } = await get(spidey.port, target);
      assert.ok([400, 403, 404].includes(res.status), target);
      assert.ok(!res.text.includes(SECRET), target);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
