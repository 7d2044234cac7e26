/**
 * spidey's newer features in a real browser: headless Chromium (Debian's
 * package) driven by playwright-core, one spidey per case. Compression as
 * the browser negotiates it, the listing's upload form with and without
 * script, folder downloads, and HTTPS with a login. Skipped, with a
 * message, where /usr/bin/chromium is missing.
 *
 * Set SPIDEY_SCREENSHOT_DIR=docs to save the upload form's screenshots
 * as docs/upload_phone.png and docs/upload_desktop.png.
 */

import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  hasChromium,
  launchChromium,
  warnIfNoChromium,
} from "./helpers/chromium.ts";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";
import { bytes, readTree, run } from "./helpers/archive_trees.ts";

warnIfNoChromium("spidey_browser_test");

// Callbacks passed to page.evaluate run inside Chromium; this file is
// type-checked without the DOM library, so the shapes they use are here.
interface PageProgress {
  value: number;
  max: number;
  hidden: boolean;
}
declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): PageProgress | null;
};
declare const window: Record<string, unknown>;

/** Text that compresses well and is large enough to be compressed. */
const LOREM = "Spidey spins a web of static files. ".repeat(200);

/** Names of the listed entries, in page order. */
function listedNames(page: Page): Promise<string[]> {
  return page.locator("tbody tr.e td.n a").allTextContents();
}

/** Tests `zip` and unpacks it with python3; returns its files. */
async function unzip(zip: Uint8Array): Promise<Record<string, Uint8Array>> {
  const dir = await Deno.makeTempDir({ prefix: "spidey-unzip-" });
  try {
    await Deno.writeFile(`${dir}/a.zip`, zip);
    await run("python3", ["-m", "zipfile", "-t", `${dir}/a.zip`]);
    await run("python3", ["-m", "zipfile", "-e", `${dir}/a.zip`, `${dir}/x`]);
    return await readTree(`${dir}/x`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "spidey in Chromium: compression, uploads, archives, HTTPS login",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const b = browser;

      await t.step(
        "a page and a listing arrive compressed and render",
        async () => {
          const root = await makeDocroot({
            "site/index.html":
              `<!DOCTYPE html><title>Compressed</title><h1>Hello</h1><p id="lorem">${LOREM}</p>`,
            "files/notes.txt": LOREM,
            ...Object.fromEntries(
              Array.from(
                { length: 40 },
                (_, i) => [`files/entry-${i}.txt`, "x"],
              ),
            ),
          });
          await using spidey = await serveFolder(root, [
            "-b",
            "127.0.0.1",
            "-q",
          ]);
          const base = `http://127.0.0.1:${spidey.port}`;
          const context = await b.newContext();
          try {
            const page = await context.newPage();
            const page1 = await page.goto(`${base}/site/index.html`);
            assert.equal(page1?.status(), 200);
            const sent = await page1!.request().allHeaders();
            assert.match(sent["accept-encoding"] ?? "", /gzip/);
            assert.match(
              (await page1!.allHeaders())["content-encoding"] ?? "",
              /^(br|gzip)$/,
            );
            assert.equal(await page.locator("h1").textContent(), "Hello");
            assert.equal(await page.locator("#lorem").textContent(), LOREM);

            const listing = await page.goto(`${base}/files/`);
            assert.equal(listing?.status(), 200);
            const headers = await listing!.allHeaders();
            assert.match(headers["content-encoding"] ?? "", /^(br|gzip)$/);
            assert.match(headers["vary"] ?? "", /Accept-Encoding/i);
            const names = await listedNames(page);
            assert.equal(names.length, 41);
            assert.ok(names.includes("notes.txt"));
          } finally {
            await context.close();
            await Deno.remove(root, { recursive: true });
          }
        },
      );

      await t.step(
        "the listing's upload form: progress with script, plain POST without",
        async () => {
          const root = await makeDocroot({ "inbox/old.txt": "old\n" });
          const source = await Deno.makeTempDir({ prefix: "spidey-src-" });
          await using spidey = await serveFolder(root, [
            "-b",
            "127.0.0.1",
            "-q",
            "--upload",
          ]);
          const base = `http://127.0.0.1:${spidey.port}`;
          const context = await b.newContext();
          try {
            // One file big enough to take a few progress events, one tiny.
            const bigFile = bytes(3 * 1024 * 1024);
            const small = new TextEncoder().encode("héllo, spidey\n");
            await Deno.writeFile(`${source}/big.bin`, bigFile);
            await Deno.writeFile(`${source}/small note.txt`, small);

            const page = await context.newPage();
            const problems: string[] = [];
            page.on("pageerror", (e) => problems.push(e.message));
            page.on("console", (m) => {
              // Failed loads are checked by status below.
              if (
                m.type() === "error" && !m.text().startsWith("Failed to load")
              ) {
                problems.push(m.text());
              }
            });
            page.on("response", (r) => {
              // Chromium asks for a favicon the test docroot does not have.
              if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
                problems.push(`${r.status()} for ${r.url()}`);
              }
            });
            await page.goto(`${base}/inbox/`);
            // Every value the script gives the bar is reported here, out
            // of the page, so the reload after the upload loses none.
            const seen: number[] = [];
            await page.exposeFunction("spideyBar", (v: number) => {
              seen.push(v);
            });
            await page.evaluate(() => {
              const bar = document.querySelector("#upload progress")!;
              const report = window.spideyBar as (v: number) => void;
              const proto = Object.getPrototypeOf(bar);
              const desc = Object.getOwnPropertyDescriptor(proto, "value")!;
              Object.defineProperty(bar, "value", {
                get: () => desc.get!.call(bar),
                set: (v: number) => {
                  report(v);
                  desc.set!.call(bar, v);
                },
              });
            });
            await page.setInputFiles("#upload input[type=file]", [
              `${source}/big.bin`,
              `${source}/small note.txt`,
            ]);
            const post = page.waitForResponse((r) =>
              r.request().method() === "POST"
            );
            const reload = page.waitForEvent("load");
            await page.click("#upload button[type=submit]");
            const posted = await post;
            // The script's XMLHttpRequest followed the 303 to the listing.
            assert.equal(posted.request().resourceType(), "xhr");
            assert.equal(posted.status(), 303);
            await reload;
            assert.ok(seen.length >= 2, `bar values: ${seen}`);
            assert.equal(seen[0], 0);
            assert.equal(seen.at(-1), 1, `bar stopped at ${seen.at(-1)}`);
            const names = await listedNames(page);
            assert.deepEqual(names.sort(), [
              "big.bin",
              "old.txt",
              "small note.txt",
            ]);
            assert.deepEqual(
              await Deno.readFile(`${root}/inbox/big.bin`),
              bigFile,
            );
            assert.deepEqual(
              await Deno.readFile(`${root}/inbox/small note.txt`),
              small,
            );
            assert.deepEqual(problems, []);

            // The same form without script: the browser posts it itself.
            const plain = await b.newContext({ javaScriptEnabled: false });
            try {
              const p = await plain.newPage();
              await p.goto(`${base}/inbox/`);
              await Deno.writeTextFile(`${source}/plain.txt`, "no script\n");
              await p.setInputFiles("#upload input[type=file]", [
                `${source}/plain.txt`,
              ]);
              const form = p.waitForResponse((r) =>
                r.request().method() === "POST"
              );
              // The page is at /inbox/ already: wait for the GET the 303
              // leads to, not for a URL.
              const back = p.waitForResponse((r) =>
                r.request().redirectedFrom()?.method() === "POST"
              );
              await p.click("#upload button[type=submit]");
              const res = await form;
              assert.equal(res.status(), 303);
              assert.equal(res.request().resourceType(), "document");
              const listing = await back;
              assert.equal(listing.status(), 200);
              assert.equal(listing.url(), `${base}/inbox/`);
              // The old document may still be showing for a moment.
              await p.locator("td.n a", { hasText: "plain.txt" }).waitFor({
                timeout: 10_000,
              });
              assert.equal(
                await Deno.readTextFile(`${root}/inbox/plain.txt`),
                "no script\n",
              );
            } finally {
              await plain.close();
            }
          } finally {
            await context.close();
            await Deno.remove(root, { recursive: true });
            await Deno.remove(source, { recursive: true });
          }
        },
      );

      await t.step(
        "screenshots of the upload form, phone and desktop",
        async () => {
          const root = await makeDocroot({
            "photos/holiday-at-the-seaside-2024.txt": "beach\n",
            "photos/notes.md": "# Notes\n",
            "photos/albums/keep": "",
          });
          // Fixed times, so a new screenshot differs only if the page does.
          const when = new Date("2026-05-01T09:30:00Z");
          for (
            const rel of [
              "",
              "/holiday-at-the-seaside-2024.txt",
              "/notes.md",
              "/albums",
            ]
          ) {
            await Deno.utime(`${root}/photos${rel}`, when, when);
          }
          const keep = Deno.env.get("SPIDEY_SCREENSHOT_DIR");
          const dir = keep ??
            await Deno.makeTempDir({ prefix: "spidey-shots-" });
          await using spidey = await serveFolder(root, [
            "-b",
            "127.0.0.1",
            "-q",
            "--upload",
            "--archives",
          ]);
          const base = `http://127.0.0.1:${spidey.port}`;
          try {
            for (
              const [width, name] of [
                [390, "upload_phone"],
                [1280, "upload_desktop"],
              ] as const
            ) {
              const page = await b.newPage({
                viewport: { width, height: width === 390 ? 844 : 800 },
                colorScheme: "light",
              });
              await page.goto(`${base}/photos/`);
              // Two files chosen, as a visitor about to upload sees it.
              await page.setInputFiles("#upload input[type=file]", [
                `${root}/photos/notes.md`,
                `${root}/photos/holiday-at-the-seaside-2024.txt`,
              ]);
              const form = await page.locator("#upload").boundingBox();
              assert.ok(form !== null);
              assert.ok(
                form.x >= 0 && form.x + form.width <= width,
                `${width} px: the form is ${form.x}…${form.x + form.width}`,
              );
              assert.ok(
                await page.evaluate(() =>
                  document.documentElement.scrollWidth
                ) <=
                  width,
                `${width} px: the page scrolls sideways`,
              );
              const png = await page.screenshot({
                path: `${dir}/${name}.png`,
              });
              assert.equal(png[1], 0x50); // "PNG"
              await page.close();
            }
          } finally {
            await Deno.remove(root, { recursive: true });
            if (keep === undefined) await Deno.remove(dir, { recursive: true });
          }
        },
      );

      await t.step(
        "with --archives the listing's zip link downloads the folder",
        async () => {
          const files: Record<string, string> = {
            "a.txt": "alpha\n",
            "sub/b.txt": "beta\n",
            "sub/deeper/c.txt": LOREM,
          };
          const root = await makeDocroot(
            Object.fromEntries(
              Object.entries(files).map(([k, v]) => [`box/${k}`, v]),
            ),
          );
          await using spidey = await serveFolder(root, [
            "-b",
            "127.0.0.1",
            "-q",
            "--archives",
          ]);
          const base = `http://127.0.0.1:${spidey.port}`;
          const context = await b.newContext({ acceptDownloads: true });
          try {
            const page = await context.newPage();
            await page.goto(`${base}/box/`);
            const links = page.locator('footer a[href^="?download="]');
            assert.deepEqual(await links.allTextContents(), [
              ".tar.gz",
              ".zip",
            ]);
            const download = page.waitForEvent("download");
            await page.click('footer a[href="?download=zip"]');
            const got = await download;
            assert.match(got.suggestedFilename(), /^box.*\.zip$/);
            const path = await got.path();
            const unpacked = await unzip(await Deno.readFile(path));
            // The archive holds the folder itself or its contents.
            const strip = (p: string) => p.replace(/^box\//, "");
            assert.deepEqual(
              Object.fromEntries(
                Object.entries(unpacked).map((
                  [p, data],
                ) => [strip(p), new TextDecoder().decode(data)]),
              ),
              files,
            );
          } finally {
            await context.close();
            await Deno.remove(root, { recursive: true });
          }
        },
      );

      await t.step(
        "with --https --auth a login opens the listing, none gets 401",
        async () => {
          const root = await makeDocroot({ "secret/plan.txt": "world\n" });
          const cache = await Deno.makeTempDir({ prefix: "spidey-cache-" });
          await using spidey = await serveFolder(
            root,
            ["-b", "127.0.0.1", "-q", "--https", "--auth", "u:p"],
            { env: { XDG_CACHE_HOME: cache }, timeoutMs: 30_000 },
          );
          const base = `https://127.0.0.1:${spidey.port}`;
          const login = await b.newContext({
            ignoreHTTPSErrors: true,
            httpCredentials: { username: "u", password: "p" },
          });
          const anonymous = await b.newContext({ ignoreHTTPSErrors: true });
          try {
            const page = await login.newPage();
            const res = await page.goto(`${base}/secret/`);
            assert.equal(res?.status(), 200);
            assert.deepEqual(await listedNames(page), ["plan.txt"]);
            assert.equal(new URL(page.url()).protocol, "https:");

            // Headless Chromium, with no login to offer, fails the
            // navigation (ERR_INVALID_AUTH_CREDENTIALS) once the 401
            // arrives; the response itself is still observed.
            const other = await anonymous.newPage();
            const refused = other.waitForResponse(`${base}/secret/`);
            await other.goto(`${base}/secret/`).catch(() => null);
            const res401 = await refused;
            assert.equal(res401.status(), 401);
            assert.match(
              (await res401.allHeaders())["www-authenticate"] ?? "",
              /^Basic realm="spidey"/,
            );
          } finally {
            await login.close();
            await anonymous.close();
            await Deno.remove(root, { recursive: true });
            await Deno.remove(cache, { recursive: true });
          }
        },
      );
    } finally {
      await browser?.close();
    }
  },
});
