/**
 * Error pages: every error status is answered with a small, self-contained
 * HTML page that names the code and reason, says what happened in plain
 * words and shows spidey's mascot, in light or dark like the listings.
 *
 * @module
 */

import type { HeaderList } from "../../http/header_fields.ts";
import { statusText } from "../../http/status.ts";
import { escapeHtml } from "../../common/html.ts";
import type { ResponseWriter } from "./response_writer.ts";
import { spiderSvg } from "../../common/spider_art.ts";

const QUIPS: Record<number, string> = {
  400: "That request tangled my web. Could you spin it again?",
  403: "This corner of the web is off limits.",
  404: "I searched every thread of my web and found nothing here.",
  405: "I can't do that with this resource.",
  408: "I waited and waited, but the rest of your request never came.",
  412: "The file changed since you last looked, so I did not touch it.",
  413: "That's more than my web can hold.",
  414: "That address is longer than my longest thread.",
  416: "That range is outside the file.",
  431: "Too many headers for one little spider.",
  500: "Something snapped in my web. It's my fault, not yours.",
  501: "I don't know how to do that (yet).",
  502: "The script I asked gave me nonsense.",
  503: "I'm too busy spinning right now. Try again in a moment.",
  504: "The script took too long, so I stopped waiting.",
  505: "I only speak HTTP/1.0 and HTTP/1.1.",
};

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f3fb;--fg:#2a2140;--muted:#6e6781;--accent:#5b3fa0;--code:#ebe4f7;--legs:#3b2f5c}
@media (prefers-color-scheme:dark){:root{--bg:#16131d;--fg:#ebe7f4;--muted:#a59db7;--accent:#bba2f7;--code:#2a2338;--legs:#9d86e0}}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg);display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{text-align:center;padding:2rem 1rem;max-width:36rem}
svg{max-width:45vw;height:auto}
svg g{stroke:var(--legs)}
h1{font-size:3rem;margin:.5rem 0 0;line-height:1}
h2{font-weight:400;margin:.4rem 0 1rem;color:var(--accent)}
.detail code{background:var(--code);padding:.2rem .4rem;border-radius:4px;word-break:break-all}
a{color:var(--accent)}
footer{margin-top:2rem;font-size:.8rem;color:var(--muted)}
`.trim();

/** The quip for `status`, or a generic one for its class. */
function quipOf(status: number): string {
  return QUIPS[status] ??
    (status >= 500
      ? "Something went wrong on my side."
      : "Something about that request was off.");
}

// Everything but the detail depends on the status alone, so each status's
// page is built once; under a flood of 404s a page costs one concatenation.
const pageParts = new Map<number, readonly [string, string]>();

function partsOf(status: number): readonly [string, string] {
  let parts = pageParts.get(status);
  if (parts === undefined) {
    const reason = escapeHtml(statusText(status));
    parts = [
      `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${status} ${reason}</title>
<style>
${STYLE}
</style>
</head>
<body>
<main>
${spiderSvg(status)}
<h1>${status}</h1>
<h2>${reason}</h2>
<p>${escapeHtml(quipOf(status))}</p>
`,
      `<p><a href="/">Back to the start</a></p>
<footer>spidey</footer>
</main>
</body>
</html>
`,
    ];
    // Statuses come from code, not requests, so this stays small.
    pageParts.set(status, parts);
  }
  return parts;
}

/**
 * Renders the page for `status`. `detail` (e.g. the path asked for) is
 * escaped, so request text can never inject markup.
 */
export function renderErrorPage(status: number, detail?: string): string {
  const [head, tail] = partsOf(status);
  if (detail === undefined) return head + tail;
  return `${head}<p class="detail"><code>${
    escapeHtml(detail)
  }</code></p>\n${tail}`;
}

/** Options for {@linkcode sendErrorPage}. */
export interface ErrorPageOptions {
  /** Extra headers (e.g. `Allow` for 405). */
  headers?: HeaderList;
  /** Text shown on the page (escaped). */
  detail?: string;
}

/** Sends the error page for `status`. */
export async function sendErrorPage(
  res: ResponseWriter,
  status: number,
  options: ErrorPageOptions = {},
): Promise<void> {
  const headers: HeaderList = [
    ["Content-Type", "text/html; charset=utf-8"],
    ["Cache-Control", "no-store"],
    ["X-Content-Type-Options", "nosniff"],
    ...(options.headers ?? []),
  ];
  await res.send(status, headers, renderErrorPage(status, options.detail));
}
