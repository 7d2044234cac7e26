/**
 * Reading spidey's listing pages in tests: rows, names and JSON entries,
 * fetched with the independent raw client.
 *
 * @module
 */

import { get, rawRequest, type RawResponse } from "./raw_http.ts";

/** One listed row: its link and its visible text. */
export interface Row {
  kind: "d" | "f";
  href: string;
  text: string;
  html: string;
}

/** The listed rows of a listing page. */
export function rowsOf(html: string): Row[] {
  const out: Row[] = [];
  const re =
    /<tr class="e ([df])[^"]*"><td class="n"><a href="([^"]*)">(?:<img [^>]*>)?([^<]*)<\/a>.*?<\/tr>/g;
  for (const m of html.matchAll(re)) {
    out.push({
      kind: m[1] as "d" | "f",
      href: m[2]!,
      text: m[3]!,
      html: m[0],
    });
  }
  return out;
}

/** Undoes the HTML escaping of text. */
export function unescapeHtml(s: string): string {
  return s.replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll(
      "&amp;",
      "&",
    );
}

/** The names listed on a page, in order, without a directory's slash. */
export function namesOf(html: string): string[] {
  return rowsOf(html).map((r) => unescapeHtml(r.text).replace(/\/$/, ""));
}

/** GETs `path` (closing the connection afterwards). */
export async function getPath(
  port: number,
  path: string,
  extra = "",
): Promise<RawResponse> {
  return await rawRequest(port, get(path, extra), { timeoutMs: 20_000 });
}

/** The names in a JSON listing, in order. */
export function jsonNames(res: RawResponse): string[] {
  const doc = JSON.parse(res.text) as { entries: Array<{ name: string }> };
  return doc.entries.map((e) => e.name);
}
