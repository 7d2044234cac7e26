/**
 * Headless Chromium for the browser tests: Debian's package driven by
 * playwright-core. Where /usr/bin/chromium is missing, the tests skip
 * themselves with one warning line (CI installs it).
 *
 * @module
 */

import { type Browser, chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/** True when Debian's Chromium is installed. */
export const hasChromium: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** Warns once, naming `test`, that it is skipped for want of Chromium. */
export function warnIfNoChromium(test: string): void {
  if (!hasChromium) {
    console.warn(
      `${test}: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`,
    );
  }
}

// The machine has no network: without these Chromium waits on services it
// cannot reach. Playwright gives each launch a fresh profile directory.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts headless Chromium; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}
