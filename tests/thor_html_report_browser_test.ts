/**
 * thor's `--html` report in a real browser: headless Chromium (Debian's
 * package) driven by playwright-core. Checks that the page loads nothing,
 * that both charts draw real lines, and that no text spills out of its
 * chart or the page. Skipped, with a message, where /usr/bin/chromium is
 * missing.
 *
 * Set THOR_SCREENSHOT=docs/thor_report.png to save the README's screenshot.
 */

import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  hasChromium,
  launchChromium,
  warnIfNoChromium,
} from "./helpers/chromium.ts";
import { createSeededRandom } from "../lib/common/seeded_random.ts";
import { formatHtmlReport } from "../lib/thor/output/html_report.ts";
import type { ReportMeta } from "../lib/thor/report.ts";
import { RunStats } from "../lib/thor/run_stats.ts";

warnIfNoChromium("thor_html_report_browser_test");

// Page shapes used inside Chromium (this file is checked without the DOM
// library).
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface PageElement {
  textContent: string | null;
  getBoundingClientRect(): Box;
  querySelectorAll(selector: string): Iterable<PageElement>;
  getAttribute(name: string): string | null;
  getTotalLength(): number;
}
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
};

/** A 40-second rate run with a slow patch, some 503s and timeouts. */
function sampleStats(): RunStats {
  const random = createSeededRandom(12);
  const stats = new RunStats();
  const now = performance.now();
  for (let second = 0; second < 40; second++) {
    stats.startClock(now - second * 1000 - 1);
    const slow = second >= 22 && second < 27;
    for (let i = 0; i < 400; i++) {
      const base = slow ? 30 : 4;
      const tail = random() < 0.01 ? random() * 120 : 0;
      const ms = base * (0.6 + random()) + tail;
      const status = slow && random() < 0.05 ? 503 : 200;
      stats.recordResponse(status, ms, 512, ms + (slow ? random() * 40 : 0));
    }
    if (slow) stats.recordError("timeout");
  }
  stats.elapsedMs = 40_000;
  stats.connections = 32;
  stats.processes = 4;
  return stats;
}

const META: ReportMeta = {
  url:
    "http://127.0.0.1:8080/a/rather/long/path/to/show/that/long/urls/wrap?q=1",
  method: "GET",
  processes: 4,
  connectionsPerProcess: 8,
  mode: "rate",
  rate: 400,
};

Deno.test({
  name:
    "thor's HTML report in Chromium: two charts, nothing loaded, no overflow",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const html = formatHtmlReport(sampleStats(), META);
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({
        viewport: { width: 900, height: 1200 },
        colorScheme: "light",
      });
      page.setDefaultTimeout(60_000);
      const requests: string[] = [];
      const problems: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      await page.setContent(html, { waitUntil: "load" });

      const charts = await page.$$eval(
        "svg.chart",
        (svgs) =>
          (svgs as unknown as PageElement[]).map((svg) => {
            const frame = svg.getBoundingClientRect();
            const paths = [...svg.querySelectorAll("path.series")].map((p) => ({
              d: p.getAttribute("d") ?? "",
              length: p.getTotalLength(),
            }));
            const outside = [...svg.querySelectorAll("text")]
              .filter((t) => {
                const b = t.getBoundingClientRect();
                return b.left < frame.left - 0.5 ||
                  b.right > frame.right + 0.5 ||
                  b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5;
              })
              .map((t) => t.textContent ?? "");
            return { paths, outside };
          }),
      );
      assert.equal(charts.length, 2);
      const [overTime, curve] = charts;
      assert.equal(overTime?.paths.length, 2); // p50 and p99
      assert.equal(curve?.paths.length, 2); // measured and corrected
      for (const chart of charts) {
        assert.deepEqual(chart.outside, [], "text outside its chart");
        for (const path of chart.paths) {
          assert.match(path.d, /^M[\d.]+ [\d.]+L/);
          assert.ok(path.length > 100, `path of length ${path.length}`);
        }
      }
      const tails = await page.$$eval(
        "#percentiles + svg text.tick",
        (ts) => (ts as unknown as PageElement[]).map((t) => t.textContent),
      );
      for (const label of ["50", "90", "99", "99.9", "99.99"]) {
        assert.ok(tails.includes(label), `tail axis lacks ${label}`);
      }
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      assert.ok(widths.scroll <= widths.client, "the page scrolls sideways");
      const errorsText = await page.textContent("#errors + table");
      assert.match(errorsText ?? "", /timeout/);

      const out = Deno.env.get("THOR_SCREENSHOT") ??
        `${await Deno.makeTempDir()}/thor_report.png`;
      const png = await page.screenshot({ path: out, fullPage: true });
      assert.equal(png[1], 0x50); // "PNG"
      assert.deepEqual(requests.filter((u) => !u.startsWith("about:")), []);
      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
    }
  },
});
