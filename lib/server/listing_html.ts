/**
 * The HTML page of a directory listing: one self-contained document (its
 * CSS, icons and mascot inline, so it works whatever the document root
 * holds), sortable by column through plain links, readable on a phone,
 * dark when the system is. A few lines of optional script add a filter box.
 *
 * Every file name is HTML-escaped where it is shown and percent-encoded
 * (then escaped) where it is linked, so no name can inject markup or turn
 * into another URL.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { formatExactSize, formatHumanSize } from "./human_size.ts";
import { escapeHtml } from "./html.ts";
import type { ListingEntry } from "./listing_entries.ts";
import {
  type ListingSort,
  SORT_COLUMNS,
  type SortColumn,
} from "./listing_sort.ts";
import { sortQueryOf } from "./listing_query.ts";
import { spiderSvg } from "./spider_art.ts";

/** What a listing page shows. */
export interface ListingView {
  /** The directory's URL path, decoded, starting and ending with `/`. */
  urlPath: string;
  /** The entries, already in display order. */
  entries: readonly ListingEntry[];
  /** The order they are in (for the column links and arrows). */
  sort: ListingSort;
}

const COLUMN_LABELS: Record<SortColumn, string> = {
  name: "Name",
  size: "Size",
  type: "Type",
  modified: "Modified (UTC)",
};

// Column classes double as CSS hooks: n(ame), s(ize), t(ype), m(odified).
const COLUMN_CLASSES: Record<SortColumn, string> = {
  name: "n",
  size: "s",
  type: "t",
  modified: "m",
};

function maskIcon(path: string): string {
  return `url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='${path}'/%3E%3C/svg%3E")`;
}

const FOLDER_ICON = maskIcon(
  "M1 3.5A1.5 1.5 0 0 1 2.5 2h3.6l1.6 1.6h5.8A1.5 1.5 0 0 1 15 5.1v7.4a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 12.5z",
);
const FILE_ICON = maskIcon(
  "M3 1.5A1.5 1.5 0 0 1 4.5 0H10l4 4v10.5a1.5 1.5 0 0 1-1.5 1.5h-8A1.5 1.5 0 0 1 3 14.5zM9.5 1v3.5H13z",
);
const UP_ICON = maskIcon("M8 1.5 2 7.5h4V15h4V7.5h4z");

const STYLE = `
:root{color-scheme:light dark;--bg:#faf9fc;--fg:#221d2e;--muted:#6e6781;--line:#e7e2f0;--accent:#5b3fa0;--hover:#f2edfb;--dir:#7a5cc7;--file:#a29bb3;--legs:#3b2f5c}
@media (prefers-color-scheme:dark){:root{--bg:#16131d;--fg:#ebe7f4;--muted:#a59db7;--line:#2e2839;--accent:#bba2f7;--hover:#221c2e;--dir:#a78bf0;--file:#7f778f;--legs:#9d86e0}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:64rem;margin:0 auto;padding:1.25rem 1rem 2.5rem}
header{display:flex;align-items:flex-end;gap:.9rem;margin-bottom:1rem}
header svg{width:44px;height:52px;flex:none}
header svg g{stroke:var(--legs)}
h1{font-size:1.3rem;font-weight:600;margin:0;overflow-wrap:anywhere}
h1 a{color:inherit;text-decoration:none}
h1 a:hover,h1 a:focus-visible{color:var(--accent);text-decoration:underline}
.summary{color:var(--muted);margin:.15rem 0 0;font-size:.88rem}
#filter{display:block;width:100%;max-width:22rem;margin:0 0 .75rem;padding:.45rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:.4rem}
#filter[hidden]{display:none}
table{width:100%;border-collapse:collapse}
th{text-align:left;font-size:.76rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);border-bottom:2px solid var(--line);padding:.45rem .6rem;white-space:nowrap}
th a{color:inherit;text-decoration:none}
th a:hover,th a:focus-visible{color:var(--accent)}
th[aria-sort] a{color:var(--fg)}
td{padding:.42rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:hover{background:var(--hover)}
td.n a{color:var(--accent);text-decoration:none;overflow-wrap:anywhere}
td.n a:hover,td.n a:focus-visible{text-decoration:underline}
td.n a::before{content:"";display:inline-block;width:1em;height:1em;margin-right:.55em;vertical-align:-.14em;background:var(--file);-webkit-mask:${FILE_ICON} center/contain no-repeat;mask:${FILE_ICON} center/contain no-repeat}
tr.d td.n a::before{background:var(--dir);-webkit-mask-image:${FOLDER_ICON};mask-image:${FOLDER_ICON}}
tr.up td.n a::before{background:var(--muted);-webkit-mask-image:${UP_ICON};mask-image:${UP_ICON}}
.s,.m{white-space:nowrap;font-variant-numeric:tabular-nums}
td.s{text-align:right}
th.s{text-align:right}
td.t,td.m{color:var(--muted)}
td.t{font-size:.9em;overflow-wrap:anywhere}
td.empty{color:var(--muted);font-style:italic;padding:1rem .6rem}
footer{margin-top:1.25rem;color:var(--muted);font-size:.8rem}
footer a{color:inherit}
@media (max-width:42rem){.t{display:none}body{font-size:14px}.wrap{padding:1rem .5rem 2rem}td.m{font-size:.85em}th,td{padding-left:.4rem;padding-right:.4rem}}
@media (max-width:20rem){.m{display:none}}
`.trim();

// Progressive enhancement only: without script the filter stays hidden
// and everything else (links, sorting) still works.
const SCRIPT =
  `(()=>{const f=document.getElementById("filter");const rows=[...document.querySelectorAll("tbody tr.e")];if(!f||rows.length<2)return;const names=rows.map(r=>r.cells[0].textContent.toLowerCase());f.hidden=false;f.addEventListener("input",()=>{const q=f.value.trim().toLowerCase();rows.forEach((r,i)=>{r.hidden=q!==""&&!names[i].includes(q)})});addEventListener("keydown",e=>{if(e.key==="/"&&document.activeElement!==f){e.preventDefault();f.focus()}})})();`;

/**
 * The `Content-Security-Policy` for listing pages: inline style, data:
 * icons and exactly our own script (by hash), nothing else. If a name ever
 * slipped past escaping, the browser would still refuse to run it.
 */
export const LISTING_CSP =
  `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${
    createHash("sha256").update(SCRIPT).digest("base64")
  }'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const SPIDER = spiderSvg(200);

/** The href of an entry, relative to its directory. */
export function entryHref(entry: ListingEntry): string {
  return encodeURIComponent(entry.name) + (entry.isDirectory ? "/" : "");
}

/**
 * A time as `YYYY-MM-DD HH:MM` (UTC) for display and its full ISO 8601
 * form for `datetime`, or null for an unknown or unrepresentable time.
 */
export function formatListingTime(
  ms: number | null,
): { text: string; iso: string } | null {
  if (ms === null) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  const t = iso.indexOf("T");
  return { text: `${iso.slice(0, t)} ${iso.slice(t + 1, t + 6)}`, iso };
}

function breadcrumbs(urlPath: string): string {
  const segments = urlPath.split("/").filter((s) => s !== "");
  // Relative links ("../../") keep working behind a proxy that mounts the
  // server under a prefix.
  let out = `<a href="${
    segments.length === 0 ? "./" : "../".repeat(segments.length)
  }">/</a>`;
  for (let i = 0; i < segments.length; i++) {
    const up = segments.length - 1 - i;
    const href = up === 0 ? "./" : "../".repeat(up);
    out += `<a href="${href}">${escapeHtml(segments[i]!)}/</a>`;
  }
  return out;
}

function headerCell(column: SortColumn, sort: ListingSort): string {
  const active = sort.column === column;
  const next: ListingSort = {
    column,
    descending: active ? !sort.descending : false,
  };
  const arrow = active
    ? ` <span aria-hidden="true">${sort.descending ? "▼" : "▲"}</span>`
    : "";
  const ariaSort = active
    ? ` aria-sort="${sort.descending ? "descending" : "ascending"}"`
    : "";
  return `<th class="${COLUMN_CLASSES[column]}"${ariaSort}><a href="?${
    sortQueryOf(next)
  }">${COLUMN_LABELS[column]}${arrow}</a></th>`;
}

function timeCell(ms: number | null): string {
  const time = formatListingTime(ms);
  if (time === null) return `<td class="m">—</td>`;
  return `<td class="m"><time datetime="${time.iso}">${time.text}</time></td>`;
}

// Most names need no escaping; testing first skips the replace callback.
const HTML_SPECIAL = /[&<>"']/;

function escapeText(s: string): string {
  return HTML_SPECIAL.test(s) ? escapeHtml(s) : s;
}

// A row does not depend on the sort, so each entry's row is built once and
// shared by every variant rendered from the same snapshot of entries.
const rowMemo = new WeakMap<ListingEntry, string>();

function entryRow(entry: ListingEntry): string {
  let row = rowMemo.get(entry);
  if (row === undefined) {
    row = buildEntryRow(entry);
    rowMemo.set(entry, row);
  }
  return row;
}

function buildEntryRow(entry: ListingEntry): string {
  const name = escapeText(entry.name);
  const href = escapeText(entryHref(entry));
  if (entry.isDirectory) {
    return `<tr class="e d"><td class="n"><a href="${href}">${name}/</a></td><td class="s">—</td><td class="t">directory</td>${
      timeCell(entry.mtimeMs)
    }</tr>\n`;
  }
  return `<tr class="e f"><td class="n"><a href="${href}">${name}</a></td><td class="s" title="${
    formatExactSize(entry.size)
  }">${formatHumanSize(entry.size)}</td><td class="t">${
    escapeText(entry.mime ?? "")
  }</td>${timeCell(entry.mtimeMs)}</tr>\n`;
}

function summary(entries: readonly ListingEntry[]): string {
  let dirs = 0;
  let files = 0;
  let bytes = 0;
  for (const e of entries) {
    if (e.isDirectory) dirs++;
    else {
      files++;
      bytes += e.size;
    }
  }
  const parts = [
    `${dirs} ${dirs === 1 ? "folder" : "folders"}`,
    `${files} ${files === 1 ? "file" : "files"}`,
  ];
  if (files > 0) parts.push(formatHumanSize(bytes));
  return parts.join(" · ");
}

/** Renders the whole listing page. */
export function renderListingHtml(view: ListingView): string {
  const { urlPath, entries, sort } = view;
  const title = escapeHtml(`Index of ${urlPath}`);
  const rows: string[] = [];
  if (urlPath !== "/") {
    rows.push(
      `<tr class="up"><td class="n"><a href="../">../</a></td><td class="s">—</td><td class="t">parent directory</td><td class="m"></td></tr>\n`,
    );
  }
  for (const entry of entries) rows.push(entryRow(entry));
  if (entries.length === 0) {
    rows.push(
      `<tr><td class="empty" colspan="4">This folder is empty.</td></tr>\n`,
    );
  }
  const jsonHref = `?${sortQueryOf(sort)};format=json`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<style>
${STYLE}
</style>
</head>
<body>
<div class="wrap">
<header>
${SPIDER}
<div>
<h1>Index of ${breadcrumbs(urlPath)}</h1>
<p class="summary">${summary(entries)}</p>
</div>
</header>
<main>
<input id="filter" type="search" placeholder="Filter (press /)" aria-label="Filter entries" autocomplete="off" hidden>
<table>
<thead><tr>${SORT_COLUMNS.map((c) => headerCell(c, sort)).join("")}</tr></thead>
<tbody>
${rows.join("")}</tbody>
</table>
</main>
<footer>Served by spidey · <a href="${jsonHref}">JSON</a></footer>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
