/**
 * The listing in a real browser: headless Chromium (Debian's package)
 * driven by playwright-core, against a real spidey. Checks what a visitor
 * sees: thumbnails that really are the server's small copies, SVGs as
 * themselves, players, the grid layout and its memory, the filter, names
 * beside (or under) their thumbnails on a phone, and the page without
 * script. Skipped, with a message, where /usr/bin/chromium is missing.
 *
 * Set SPIDEY_SCREENSHOT=docs/listing.png to save the README's screenshot.
 */

import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  hasChromium,
  launchChromium,
  warnIfNoChromium,
} from "./helpers/chromium.ts";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";

warnIfNoChromium("listing_browser_test");

// The callbacks passed to page.$eval and page.evaluate run inside Chromium.
// This file is type-checked without the DOM library (it would clash with
// Deno's), so the few page shapes those callbacks use are declared here.
interface PageElement {
  hidden: boolean;
  textContent: string | null;
  checkVisibility(): boolean;
  querySelector(selector: string): PageElement | null;
  closest(selector: string): PageElement | null;
  getBoundingClientRect(): { width: number; height: number };
}
interface PageLink extends PageElement {
  href: string;
}
interface PageImage extends PageElement {
  complete: boolean;
  currentSrc: string;
  loading: string;
  naturalWidth: number;
  naturalHeight: number;
}
interface PageMedia extends PageElement {
  controls: boolean;
  currentSrc: string;
  preload: string;
  src: string;
}
interface PageRect {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface PageRange {
  selectNodeContents(node: unknown): void;
  getBoundingClientRect(): PageRect;
  getClientRects(): { length: number };
}
interface PageNameLink extends PageElement {
  lastChild: unknown;
  querySelector(selector: string): PageImage | null;
}
declare const document: {
  activeElement: { id: string } | null;
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<PageImage>;
  createRange(): PageRange;
};
declare function getComputedStyle(element: unknown): { display: string };

const WWW = new URL("../www/", import.meta.url);
const THUMB_MAX = 160;

async function galleryDocroot(): Promise<string> {
  const root = await makeDocroot({
    "gallery/albums/keep": "",
    "gallery/README.txt": "Pictures and sounds from spidey's web.\n",
    "media/clip.webm": "not really a video",
  });
  for (const dir of ["images", "audio"]) {
    for (const entry of Deno.readDirSync(new URL(dir, WWW))) {
      await Deno.copyFile(
        new URL(`${dir}/${entry.name}`, WWW),
        `${root}/gallery/${entry.name}`,
      );
    }
  }
  return root;
}

/** Names of the listed rows that are not hidden. */
function visibleNames(page: Page): Promise<string[]> {
  return page.$$eval(
    "tbody tr.e",
    (rows) =>
      (rows as unknown as PageElement[])
        .filter((r) => !r.hidden && r.checkVisibility())
        .map((r) => r.querySelector("td.n a")!.textContent!),
  );
}

async function waitForThumbnails(page: Page): Promise<void> {
  await page.waitForFunction(
    () => [...document.querySelectorAll("img.th")].every((i) => i.complete),
    undefined,
    { timeout: 60_000 },
  );
}

Deno.test({
  name: "listing in Chromium: thumbnails, players, grid, filter, no script",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const root = await galleryDocroot();
    await using spidey = await serveFolder(root);
    const base = `http://127.0.0.1:${spidey.port}`;
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const context = await browser.newContext({
        viewport: { width: 1280, height: 1600 },
      });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        // A CSP refusal shows up as a console error; failed loads are
        // checked by status below.
        if (m.type() === "error" && !m.text().startsWith("Failed to load")) {
          problems.push(`console: ${m.text()}`);
        }
      });
      page.on("response", (r) => {
        // Chromium asks for a favicon the test docroot does not have.
        if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
          problems.push(`${r.status()} for ${r.url()}`);
        }
      });
      await page.goto(`${base}/gallery/`);
      await waitForThumbnails(page);

      await t.step(
        "images show the server's thumbnails, not the files",
        async () => {
          const thumbs = await page.$$eval(
            "img.th:not(.sv)",
            (imgs) =>
              (imgs as unknown as PageImage[]).map((i) => {
                const link = i.closest("a") as PageLink;
                return {
                  src: i.currentSrc,
                  href: link.href,
                  lazy: i.loading,
                  width: i.naturalWidth,
                  height: i.naturalHeight,
                };
              }),
          );
          // The five bundled PNGs (the two SVGs are checked below).
          assert.equal(thumbs.length, 5);
          for (const th of thumbs) {
            assert.equal(th.src, `${th.href}?thumbnail`);
            assert.equal(th.lazy, "lazy");
            assert.ok(
              th.width > 0 && th.height > 0,
              `${th.src} did not render`,
            );
            assert.ok(
              th.width <= THUMB_MAX && th.height <= THUMB_MAX,
              `${th.src} is ${th.width}×${th.height}`,
            );
          }
          // mandelbrot.png is 512×384: only a server-made copy is 160×120.
          const mandel = thumbs.find((th) =>
            th.href.endsWith("/mandelbrot.png")
          );
          assert.deepEqual([mandel?.width, mandel?.height], [160, 120]);
          const fetched = await page.evaluate(() =>
            performance.getEntriesByType("resource").map((e) => e.name)
          );
          for (const name of fetched) {
            assert.ok(
              !/\.(png|wav)$/.test(new URL(name).pathname) ||
                new URL(name).search === "?thumbnail",
              `the page fetched a full file: ${name}`,
            );
          }
        },
      );

      await t.step(
        "SVGs show as themselves in an <img>, not as a placeholder",
        async () => {
          const svgs = await page.$$eval(
            "img.th.sv",
            (imgs) =>
              (imgs as unknown as PageImage[]).map((i) => ({
                src: i.currentSrc,
                href: (i.closest("a") as PageLink).href,
                width: i.naturalWidth,
              })),
          );
          assert.deepEqual(
            svgs.map((s) => new URL(s.src).pathname).sort(),
            ["/gallery/spidey.svg", "/gallery/web.svg"],
          );
          for (const svg of svgs) {
            assert.equal(svg.src, svg.href);
            assert.ok(svg.width > 0, `${svg.src} did not render`);
          }
          assert.equal(await page.locator("tr.pic").count(), 0);
        },
      );

      await t.step(
        "audio and video files get players that load nothing",
        async () => {
          const audio = await page.$$eval(
            "audio",
            (els) =>
              (els as unknown as PageMedia[]).map((a) => ({
                preload: a.preload,
                controls: a.controls,
                src: a.currentSrc || a.src,
                height: a.getBoundingClientRect().height,
              })),
          );
          assert.equal(audio.length, 2);
          for (const a of audio) {
            assert.equal(a.preload, "none");
            assert.ok(a.controls);
            assert.match(a.src, /\/gallery\/[\w-]+\.wav$/);
            assert.ok(a.height > 0, "audio player not rendered");
          }
          const media = await context.newPage();
          await media.goto(`${base}/media/`);
          const video = await media.$eval("video", (el) => {
            const v = el as unknown as PageMedia;
            const box = v.getBoundingClientRect();
            return {
              preload: v.preload,
              controls: v.controls,
              width: box.width,
              height: box.height,
            };
          });
          assert.equal(video.preload, "none");
          assert.ok(video.controls);
          assert.ok(video.width > 0 && video.height > 0, "video not rendered");
          await media.close();
        },
      );

      await t.step(
        "the filter hides rows whose names do not match",
        async () => {
          const all = await visibleNames(page);
          assert.equal(all.length, 11);
          await page.keyboard.press("/");
          assert.equal(
            await page.evaluate(() => document.activeElement?.id),
            "filter",
          );
          await page.keyboard.type("WEB");
          assert.deepEqual(await visibleNames(page), [
            "spider-web.png",
            "web-chord.wav",
            "web.svg",
          ]);
          assert.ok(await page.locator("#none").isHidden());
          await page.fill("#filter", "no such name");
          assert.deepEqual(await visibleNames(page), []);
          assert.ok(await page.locator("#none").isVisible());
          await page.fill("#filter", "");
          assert.equal((await visibleNames(page)).length, 11);
        },
      );

      await t.step(
        "the grid toggle switches in place and is remembered",
        async () => {
          const tbodyDisplay = () =>
            page.$eval("tbody", (el) => getComputedStyle(el).display);
          assert.equal(await tbodyDisplay(), "table-row-group");
          await page.click('.views a[data-view="grid"]');
          assert.equal(await tbodyDisplay(), "grid");
          assert.equal(new URL(page.url()).search, "", "toggling reloaded");
          assert.equal(
            await page.evaluate(() => localStorage.getItem("spidey-view")),
            "grid",
          );
          // Filtering works on cards too.
          await page.fill("#filter", "wheel");
          assert.deepEqual(await visibleNames(page), ["color-wheel.png"]);
          await page.fill("#filter", "");
          // Sorting from the grid stays in the grid.
          await page.click("th.s a");
          await page.waitForURL(/C=S;O=A/);
          assert.equal(await tbodyDisplay(), "grid");
          // A plain visit remembers the choice.
          await page.goto(`${base}/gallery/`);
          assert.equal(await tbodyDisplay(), "grid");
          await waitForThumbnails(page);
          const widths = await page.$$eval(
            "img.th:not(.sv)",
            (imgs) =>
              (imgs as unknown as PageImage[]).map((i) => i.naturalWidth),
          );
          assert.ok(widths.every((w) => w > 0 && w <= THUMB_MAX));
          await page.click('.views a[data-view="table"]');
          assert.equal(await tbodyDisplay(), "table-row-group");
        },
      );

      await t.step(
        "at 390 px names sit beside (table) or under (grid) their thumbnails",
        async () => {
          const phone = await browser!.newPage({
            viewport: { width: 390, height: 844 },
          });
          for (const view of ["table", "grid"] as const) {
            await phone.goto(`${base}/gallery/?view=${view}`);
            await waitForThumbnails(phone);
            const boxes = await phone.$$eval(
              "tr.pv td.n a",
              (links) =>
                (links as unknown as PageNameLink[]).map((a) => {
                  const range = document.createRange();
                  range.selectNodeContents(a.lastChild);
                  const img = a.querySelector("img.th")!;
                  const r = img.getBoundingClientRect() as unknown as PageRect;
                  const n = range.getBoundingClientRect();
                  return {
                    name: a.textContent,
                    img: [r.left, r.top, r.right, r.bottom],
                    text: [n.left, n.top, n.right, n.bottom],
                    lines: range.getClientRects().length,
                  };
                }),
            );
            assert.equal(boxes.length, 7, view);
            for (const { name, img, text, lines } of boxes) {
              const [il, it, ir, ib] = img as [number, number, number, number];
              const [tl, tt, tr, tb] = text as [number, number, number, number];
              const apart = tl >= ir - 0.5 || tr <= il + 0.5 ||
                tt >= ib - 0.5 || tb <= it + 0.5;
              assert.ok(apart, `${view}: ${name} overlaps its thumbnail`);
              if (view === "table") {
                assert.ok(
                  tl >= ir - 0.5,
                  `${name} is not beside its thumbnail`,
                );
              } else {
                assert.ok(tt >= ib - 0.5, `${name} is not under its thumbnail`);
              }
              // These short names fit on one line: none broken mid-word.
              assert.equal(lines, 1, `${view}: ${name} wraps`);
            }
            assert.ok(
              await phone.evaluate(() =>
                document.documentElement.scrollWidth
              ) <= 390,
              `${view}: the page scrolls sideways`,
            );
          }
          await phone.close();
        },
      );

      await t.step(
        "without script the table works and the grid is a link away",
        async () => {
          const plain = await browser!.newContext({ javaScriptEnabled: false });
          const p = await plain.newPage();
          await p.goto(`${base}/gallery/`);
          assert.ok(await p.locator("#filter").isHidden());
          assert.equal(await p.locator("tbody tr.e").count(), 11);
          await p.click('.views a[data-view="grid"]');
          await p.waitForURL(/view=grid/);
          assert.equal(
            await p.$eval("tbody", (el) => getComputedStyle(el).display),
            "grid",
          );
          await plain.close();
        },
      );

      await t.step("screenshot", async () => {
        const shot = await browser!.newPage({
          viewport: { width: 1280, height: 800 },
          colorScheme: "light",
        });
        await shot.goto(`${base}/gallery/?view=grid`);
        await waitForThumbnails(shot);
        const out = Deno.env.get("SPIDEY_SCREENSHOT") ??
          `${await Deno.makeTempDir()}/listing.png`;
        const png = await shot.screenshot({ path: out });
        assert.equal(png[1], 0x50); // "PNG"
        await shot.close();
      });

      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
