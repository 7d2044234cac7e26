/**
 * The HTML page of a directory listing: one self-contained document (its
 * CSS, icons and mascot inline, so it works whatever the document root
 * holds), sortable by column through plain links, as a table or a grid of
 * cards, readable on a phone, dark when the system is. Images show as
 * lazily loaded thumbnails (`name?thumbnail`, made by the server, never
 * the full file shrunk by the browser; SVGs, which the server does not
 * render, as themselves in an `<img>`); audio and video get players that
 * load nothing until played. A few lines of optional script add a filter
 * box and remember the layout.
 *
 * Every file name is HTML-escaped where it is shown and percent-encoded
 * (then escaped) where it is linked, so no name can inject markup or turn
 * into another URL.
 *
 * @module
 */

import { formatExactSize, formatHumanSize } from "./human_size.ts";
import { escapeHtml } from "../../common/html.ts";
import { LISTING_SCRIPT, LISTING_STYLE } from "./assets.ts";
import type { ListingEntry } from "./entries.ts";
import { type ListingLayout, pageQueryOf, sortQueryOf } from "./query.ts";
import { type ListingSort, SORT_COLUMNS, type SortColumn } from "./sort.ts";
import { mediaKindOf, THUMBNAIL_QUERY } from "../core/media_kind.ts";
import { spiderSvg } from "../../common/spider_art.ts";

export { LISTING_CSP } from "./assets.ts";

/** What a listing page shows. */
export interface ListingView {
  /** The directory's URL path, decoded, starting and ending with `/`. */
  urlPath: string;
  /** The entries, already in display order. */
  entries: readonly ListingEntry[];
  /** The order they are in (for the column links and arrows). */
  sort: ListingSort;
  /** Table (the default) or grid of cards. */
  layout?: ListingLayout;
  /** Show the upload form (the folder takes uploads). */
  upload?: boolean;
  /** Link to `.tar.gz` and `.zip` downloads of the folder. */
  archives?: boolean;
}

/** The upload form: a plain multipart POST, which the script enhances. */
const UPLOAD_FORM =
  `<form id="upload" class="upload" method="post" action="./" enctype="multipart/form-data">
<input type="file" name="files" multiple required aria-label="Files to upload">
<button type="submit">Upload</button>
<progress max="1" value="0" hidden></progress>
<output role="status"></output>
</form>
`;

const ARCHIVE_LINKS =
  ` · Download <a href="?download=tar.gz" download>.tar.gz</a> · <a href="?download=zip" download>.zip</a>`;

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

function headerCell(
  column: SortColumn,
  sort: ListingSort,
  layout: ListingLayout,
): string {
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
    pageQueryOf(next, layout)
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

const SVG_TYPE = "image/svg+xml";

// Extra row class, and markup inside the name cell, for each media kind.
// `href` is already encoded and escaped; `?thumbnail` needs neither.
function nameCellOf(entry: ListingEntry, href: string, name: string): {
  rowClass: string;
  cell: string;
} {
  // The thumbnailer cannot render SVG but the browser can, and as an <img>
  // it runs none of the file's script: show the file itself.
  if (entry.mime === SVG_TYPE) {
    return {
      rowClass: " pv",
      cell:
        `<a href="${href}"><img class="th sv" src="${href}" alt="" loading="lazy" decoding="async" width="160" height="160">${name}</a>`,
    };
  }
  switch (mediaKindOf(entry.mime)) {
    case "thumbnail":
      return {
        rowClass: " pv",
        cell:
          `<a href="${href}"><img class="th" src="${href}?${THUMBNAIL_QUERY}" alt="" loading="lazy" decoding="async" width="160" height="160">${name}</a>`,
      };
    case "picture":
      return { rowClass: " pic", cell: `<a href="${href}">${name}</a>` };
    case "audio":
      return {
        rowClass: " au",
        cell:
          `<a href="${href}">${name}</a><audio controls preload="none" src="${href}"></audio>`,
      };
    case "video":
      return {
        rowClass: " vi",
        cell:
          `<a href="${href}">${name}</a><video controls preload="none" src="${href}"></video>`,
      };
    case null:
      return { rowClass: "", cell: `<a href="${href}">${name}</a>` };
  }
}

function buildEntryRow(entry: ListingEntry): string {
  const name = escapeText(entry.name);
  const href = escapeText(entryHref(entry));
  if (entry.isDirectory) {
    return `<tr class="e d"><td class="n"><a href="${href}">${name}/</a></td><td class="s">—</td><td class="t">directory</td>${
      timeCell(entry.mtimeMs)
    }</tr>\n`;
  }
  const { rowClass, cell } = nameCellOf(entry, href, name);
  return `<tr class="e f${rowClass}"><td class="n">${cell}</td><td class="s" title="${
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

const LAYOUT_LABELS: Record<ListingLayout, string> = {
  table: "Table",
  grid: "Grid",
};

// Plain links, so switching works without script; the script switches in
// place instead and remembers the choice.
function layoutLink(
  target: ListingLayout,
  sort: ListingSort,
  current: ListingLayout,
): string {
  return `<a href="?${sortQueryOf(sort)};view=${target}" data-view="${target}"${
    target === current ? ' aria-current="true"' : ""
  }>${LAYOUT_LABELS[target]}</a>`;
}

/** Renders the whole listing page. */
export function renderListingHtml(view: ListingView): string {
  const { urlPath, entries, sort } = view;
  const layout = view.layout ?? "table";
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
${LISTING_STYLE}
</style>
</head>
<body${layout === "grid" ? ' class="grid"' : ""}>
<div class="wrap">
<header>
${SPIDER}
<div>
<h1>Index of ${breadcrumbs(urlPath)}</h1>
<p class="summary">${summary(entries)}</p>
</div>
</header>
<main>
<div class="bar">
<input id="filter" type="search" placeholder="Filter (press /)" aria-label="Filter entries" autocomplete="off" hidden>
<nav class="views" aria-label="Layout">${layoutLink("table", sort, layout)}${
    layoutLink("grid", sort, layout)
  }</nav>
</div>
${view.upload ? UPLOAD_FORM : ""}<table>
<thead><tr>${
    SORT_COLUMNS.map((c) => headerCell(c, sort, layout)).join("")
  }</tr></thead>
<tbody>
${rows.join("")}</tbody>
</table>
<p id="none" hidden>No names match the filter.</p>
</main>
<footer>Served by spidey · <a href="${jsonHref}">JSON</a>${
    view.archives ? ARCHIVE_LINKS : ""
  }</footer>
</div>
<script>${LISTING_SCRIPT}</script>
</body>
</html>
`;
}
