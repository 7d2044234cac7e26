/**
 * The page frame the CGI applications share: one self-contained HTML
 * document with inline CSS (light and dark, no outside assets), a header
 * that links home and to the other applications, and the content.
 *
 * @module
 */

import { escapeHtml } from "../common/html.ts";
import { statusText } from "../http/status.ts";
import { type AppResponse, htmlResponse, scriptUrl } from "./cgi_response.ts";

/** What goes into one page. */
export interface PageParts {
  /** The title (plain text, escaped here). */
  title: string;
  /** The main content, already HTML. */
  content: string;
  /** `SCRIPT_NAME` of the running script: its folder holds the others. */
  scriptName: string;
}

/** The applications linked from every page's header, by script name. */
const APP_LINKS: ReadonlyArray<[string, string]> = [
  ["guestbook", "Guestbook"],
  ["quiz", "HTTP quiz"],
  ["survey", "Which status code are you?"],
];

const STYLE = `
:root{--bg:#f7f5fc;--fg:#221d33;--muted:#5f5877;--card:#fff;--line:#ddd6ee;
--accent:#5b3fa0;--accent-2:#c2407e;--good:#1d7a46;--bad:#b3261e;--bar:#8b6fd6;--on-accent:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#14111f;--fg:#ece8f7;
--muted:#a9a1c2;--card:#1e1a2e;--line:#332c4a;--accent:#a78bfa;
--accent-2:#f49ac1;--good:#6fd39a;--bad:#ff8a80;--bar:#a78bfa;
--on-accent:#14111f}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:44rem;margin:0 auto;padding:1rem 1.25rem 3rem}
a{color:var(--accent)}a:hover{color:var(--accent-2)}
.site{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;padding:.5rem 0 .75rem;
border-bottom:1px solid var(--line);font-size:.95rem}
.site a[aria-current]{color:var(--fg);font-weight:600;text-decoration:none}
h1{margin:1.25rem 0 .5rem;font-size:1.9rem;letter-spacing:-.02em}
h2{margin:1.75rem 0 .5rem;font-size:1.25rem}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;
padding:.9rem 1.1rem;margin:.8rem 0}
.card h3{margin:0 0 .25rem;font-size:1rem}
.card p{margin:.25rem 0 0;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.8rem 0 .25rem}
input[type=text],textarea{width:100%;font:inherit;color:inherit;
background:var(--card);border:1px solid var(--line);border-radius:.4rem;
padding:.45rem .6rem}
textarea{min-height:8rem;resize:vertical}
fieldset{border:1px solid var(--line);border-radius:.6rem;margin:1rem 0;
padding:.5rem 1rem .8rem;background:var(--card)}
legend{float:left;width:100%;font-weight:600;padding:0;margin:.3rem 0 .4rem}
legend+*{clear:both}
fieldset label{font-weight:400;margin:.35rem 0;display:flex;gap:.45rem;align-items:baseline}
button{font:inherit;font-weight:600;color:var(--on-accent);background:var(--accent);
border:0;border-radius:.4rem;padding:.5rem 1.2rem;margin-top:1rem;cursor:pointer}
button:hover{background:var(--accent-2)}
.notice{border-left:4px solid var(--good);padding:.4rem .8rem;
background:var(--card)}
.errors{border-left:4px solid var(--bad);padding:.4rem .8rem .4rem 2rem;
background:var(--card);color:var(--bad)}
.good{color:var(--good)}.bad{color:var(--bad)}
.pager{display:flex;justify-content:space-between;margin-top:1.5rem}
.bars{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr) 2.5rem;
gap:.3rem .6rem;align-items:center;margin:.5rem 0}
.bars>span{overflow-wrap:break-word;min-width:0}
@media (max-width:30rem){.bars{grid-template-columns:minmax(0,1fr) 2.5rem;
row-gap:.15rem}.bars>span:not(.num){grid-column:1/-1;margin-top:.35rem}}
.bar{height:1.1rem;background:var(--bar);border-radius:.25rem;min-width:2px}
.num{text-align:right;font-variant-numeric:tabular-nums}
progress{width:100%;accent-color:var(--accent)}
.answers{padding-left:1.4rem}
.big{font-size:2.6rem;font-weight:700;margin:.5rem 0 0}
`.trim();

/** Renders a whole page around `parts.content`. */
export function renderPage(parts: PageParts): string {
  const dir = parts.scriptName.slice(0, parts.scriptName.lastIndexOf("/"));
  const current = parts.scriptName.slice(dir.length + 1);
  const links = APP_LINKS.map(([name, label]) =>
    `<a href="${escapeHtml(scriptUrl(`${dir}/${name}`))}"${
      name === current ? ' aria-current="page"' : ""
    }>${label}</a>`
  ).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(parts.title)} · spidey</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<nav class="site" aria-label="Site"><a href="/">← spidey home</a>${links}</nav>
<h1>${escapeHtml(parts.title)}</h1>
${parts.content}
</main>
</body>
</html>
`;
}

/**
 * A page that explains a refused or failed request, with `message` (plain
 * text) and a link back to the script's start page.
 */
export function errorResponse(
  status: number,
  message: string,
  scriptName: string,
  extra: ReadonlyArray<[string, string]> = [],
): AppResponse {
  const content = `<p class="errors">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(scriptUrl(scriptName))}">Start again</a></p>`;
  return htmlResponse(
    status,
    renderPage({
      title: `${status} ${statusText(status)}`,
      content,
      scriptName,
    }),
    extra,
  );
}
