/**
 * What a listing request asks for: the order, from Apache-style query
 * parameters (`?C=S;O=D`), the layout of the page (`?view=grid`), and the
 * format, from `?format=json` or the `Accept` header's q-values (RFC 9110
 * section 12.5.1).
 *
 * @module
 */

import { DEFAULT_SORT, type ListingSort, type SortColumn } from "./sort.ts";

/** The representations a listing has. */
export type ListingFormat = "html" | "json";

/** How an HTML listing lays out its entries. */
export type ListingLayout = "table" | "grid";

/** The order, layout and format a request asks for. */
export interface ListingQuery {
  /** The order of entries. */
  sort: ListingSort;
  /** The format named by `?format=`, or null to negotiate by `Accept`. */
  format: ListingFormat | null;
  /**
   * The layout named by `?view=`, or null for the default (a table; the
   * page's script may then apply the visitor's remembered choice).
   */
  layout: ListingLayout | null;
}

const COLUMN_BY_LETTER: Record<string, SortColumn> = {
  N: "name",
  S: "size",
  M: "modified",
  T: "type",
};

const LETTER_BY_COLUMN: Record<SortColumn, string> = {
  name: "N",
  size: "S",
  modified: "M",
  type: "T",
};

/**
 * Reads `C` (N, S, M, T), `O` (A, D), `format` (html, json) and `view`
 * (table, grid) from a raw query string, split on `;` or `&`. Unknown keys
 * and values are ignored, as Apache does, so a stray or mistyped parameter
 * still gets a listing.
 */
export function parseListingQuery(query: string): ListingQuery {
  if (query === "") return { sort: DEFAULT_SORT, format: null, layout: null };
  let column = DEFAULT_SORT.column;
  let descending = DEFAULT_SORT.descending;
  let format: ListingFormat | null = null;
  let layout: ListingLayout | null = null;
  for (const param of query.split(/[;&]/)) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    const key = param.slice(0, eq);
    const value = param.slice(eq + 1).toUpperCase();
    if (key === "C") column = COLUMN_BY_LETTER[value] ?? column;
    else if (key === "O" && (value === "A" || value === "D")) {
      descending = value === "D";
    } else if (key === "format" && (value === "JSON" || value === "HTML")) {
      format = value === "JSON" ? "json" : "html";
    } else if (key === "view" && (value === "GRID" || value === "TABLE")) {
      layout = value === "GRID" ? "grid" : "table";
    }
  }
  return { sort: { column, descending }, format, layout };
}

/** The query string (without `?`) that asks for `sort`: `C=N;O=A`. */
export function sortQueryOf(sort: ListingSort): string {
  return `C=${LETTER_BY_COLUMN[sort.column]};O=${sort.descending ? "D" : "A"}`;
}

/**
 * The query string (without `?`) for `sort` in `layout`: the grid is
 * named (`C=N;O=A;view=grid`), the default table is not, so links from a
 * table page stay what they always were.
 */
export function pageQueryOf(sort: ListingSort, layout: ListingLayout): string {
  return sortQueryOf(sort) + (layout === "grid" ? ";view=grid" : "");
}

/** How well an `Accept` header accepts one media type. */
export interface AcceptMatch {
  /** The q-value of the most specific matching range (0 when none). */
  quality: number;
  /** 2 for `type/sub`, 1 for `type/*`, 0 for `*\/*`, -1 for no match. */
  specificity: number;
}

const JSON_WORD = /json/i;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Finds the q-value `accept` gives `type` (lower-case `type/subtype`): the
 * most specific matching range wins; a range with a malformed q is
 * ignored. Media type parameters other than q are not compared.
 */
export function acceptMatch(accept: string, type: string): AcceptMatch {
  const wildcard = type.slice(0, type.indexOf("/")) + "/*";
  let quality = 0;
  let specificity = -1;
  for (const part of accept.split(",")) {
    const params = part.split(";");
    const range = params[0]!.trim().toLowerCase();
    const rangeSpecificity = range === type
      ? 2
      : range === wildcard
      ? 1
      : range === "*/*"
      ? 0
      : -1;
    if (rangeSpecificity < 0 || rangeSpecificity < specificity) continue;
    let q = 1;
    let valid = true;
    for (let i = 1; i < params.length; i++) {
      const p = params[i]!;
      const eq = p.indexOf("=");
      if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const v = p.slice(eq + 1).trim();
      valid = QVALUE.test(v);
      q = Number(v);
    }
    if (!valid) continue;
    if (rangeSpecificity > specificity) quality = q;
    else quality = Math.max(quality, q);
    specificity = rangeSpecificity;
  }
  return { quality, specificity };
}

/**
 * True when `accept` prefers `application/json` to `text/html`: a higher
 * q-value, or an equal one given by a more specific range (so
 * `application/json, *\/*` — what many HTTP libraries send — gets JSON,
 * while `*\/*` alone and browsers' headers get HTML).
 */
export function prefersJson(accept: string | undefined): boolean {
  // Cheap exit for the common case (browsers, curl, wrk): no JSON named.
  if (accept === undefined || !JSON_WORD.test(accept)) return false;
  const json = acceptMatch(accept, "application/json");
  if (json.quality === 0) return false;
  const html = acceptMatch(accept, "text/html");
  if (json.quality !== html.quality) return json.quality > html.quality;
  return json.specificity > html.specificity;
}

/** The format to answer with: `?format=` first, else `Accept`. */
export function chooseListingFormat(
  query: ListingQuery,
  accept: string | undefined,
): ListingFormat {
  return query.format ?? (prefersJson(accept) ? "json" : "html");
}
