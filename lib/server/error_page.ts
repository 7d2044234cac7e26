/**
 * Error pages: every error status is answered with a small HTML page that
 * names the code and reason and shows spidey's mascot.
 *
 * @module
 */

import type { HeaderList } from "../http/header_fields.ts";
import { statusText } from "../http/status.ts";
import { escapeHtml } from "./html.ts";
import type { ResponseWriter } from "./response_writer.ts";
import { spiderSvg } from "./spider_art.ts";

const QUIPS: Record<number, string> = {
  400: "That request tangled my web. Could you spin it again?",
  403: "This corner of the web is off limits.",
  404: "I searched every thread of my web and found nothing here.",
  405: "I can't do that with this resource.",
  408: "I waited and waited, but the rest of your request never came.",
  413: "That's more than my web can hold.",
  414: "That address is longer than my longest thread.",
  416: "That range is outside the file.",
  431: "Too many headers for one little spider.",
  500: "Something snapped in my web. It's my fault, not yours.",
  501: "I don't know how to do that (yet).",
  502: "The script I asked gave me nonsense.",
  504: "The script took too long, so I stopped waiting.",
  505: "I only speak HTTP/1.0 and HTTP/1.1.",
};

/**
 * Renders the page for `status`. `detail` (e.g. the path asked for) is
 * escaped, so request text can never inject markup.
 */
export function renderErrorPage(status: number, detail?: string): string {
  const reason = statusText(status);
  const quip = QUIPS[status] ??
    (status >= 500
      ? "Something went wrong on my side."
      : "Something about that request was off.");
  const detailHtml = detail === undefined
    ? ""
    : `<p class="detail"><code>${escapeHtml(detail)}</code></p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status} ${escapeHtml(reason)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f6f3fb;color:#2a2140;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{text-align:center;padding:2rem}
h1{font-size:3rem;margin:.5rem 0 0}
h2{font-weight:400;margin:.25rem 0 1rem;color:#5b3fa0}
.detail code{background:#ebe4f7;padding:.2rem .4rem;border-radius:4px;word-break:break-all}
footer{margin-top:2rem;font-size:.8rem;color:#777}
</style>
</head>
<body>
<main>
${spiderSvg(status)}
<h1>${status}</h1>
<h2>${escapeHtml(reason)}</h2>
<p>${escapeHtml(quip)}</p>
${detailHtml}
<footer>spidey</footer>
</main>
</body>
</html>
`;
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
    ...(options.headers ?? []),
  ];
  await res.send(status, headers, renderErrorPage(status, options.detail));
}
