/**
 * Directory listings: an HTML page for people (a table or a grid, with
 * thumbnails and players) or JSON for scripts, in the order the query
 * asks (`?C=M;O=D;view=grid`), served from a {@linkcode ListingCache} so
 * that a hot listing costs one `stat` and one write.
 *
 * @module
 */

import { PreparedResponse } from "../core/prepared_response.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import { sendErrorPage } from "../core/error_page.ts";
import { statusOfVanishedPath } from "../core/fs_errors.ts";
import {
  type DirectoryStamp,
  ListingCache,
  type RenderedListing,
} from "./cache.ts";
import { type ListingEntry, readDirectoryEntries } from "./entries.ts";
import { LISTING_CSP, renderListingHtml } from "./page.ts";
import { renderListingJson } from "./json.ts";
import {
  chooseListingFormat,
  type ListingFormat,
  type ListingLayout,
  parseListingQuery,
  sortQueryOf,
} from "./query.ts";
import { type ListingSort, sortEntries } from "./sort.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";

/** A directory to list. */
export interface DirectoryTarget {
  /** Its path on disk. */
  fsPath: string;
  /** Its URL path, ending in `/`. */
  urlPath: string;
  /** Its `stat`, when the caller already has one (saves a syscall). */
  info?: Deno.FileInfo;
}

/** Options for listings. */
export interface ListingOptions {
  /** Show names starting with a dot. */
  dotfiles: boolean;
  /**
   * Real path of the document root: symlinked entries are listed only when
   * they resolve inside it. Derived from `fsPath` and `urlPath` when absent.
   */
  root?: string;
  /** The cache to use (default: one shared by the process). */
  cache?: ListingCache;
}

const defaultCache = new ListingCache();
const encoder = new TextEncoder();

/**
 * The document root of `dir`: `fsPath` minus the `urlPath` it was built
 * from (the resolver joins the root and the URL's segments). When they do
 * not line up, the directory itself is used, which is stricter.
 */
export function docrootOf(dir: DirectoryTarget): string {
  const rel = dir.urlPath.slice(0, -1); // "/a/b/" → "/a/b", "/" → ""
  if (rel !== "" && dir.fsPath.endsWith(rel)) {
    return dir.fsPath.slice(0, dir.fsPath.length - rel.length);
  }
  return dir.fsPath;
}

/**
 * A strong entity tag from the body's length and two 32-bit FNV-1a
 * lanes. Computed once per rendered variant; equal bodies get equal tags
 * across workers and restarts, so revalidation survives both.
 */
export function entityTagOf(body: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `"${body.length.toString(16)}-${(a >>> 0).toString(16)}${
    (b >>> 0).toString(16).padStart(8, "0")
  }"`;
}

/** True when an `If-None-Match` value matches `etag` (weak comparison). */
export function ifNoneMatchHits(value: string, etag: string): boolean {
  if (value.trim() === "*") return true;
  for (const part of value.split(",")) {
    let tag = part.trim();
    if (tag.startsWith("W/")) tag = tag.slice(2);
    if (tag === etag) return true;
  }
  return false;
}

function renderVariant(
  urlPath: string,
  entries: readonly ListingEntry[],
  sort: ListingSort,
  format: ListingFormat,
  layout: ListingLayout,
): RenderedListing {
  const sorted = sortEntries(entries, sort);
  const json = format === "json";
  const body = encoder.encode(
    json
      ? renderListingJson(urlPath, sorted)
      : renderListingHtml({ urlPath, entries: sorted, sort, layout }),
  );
  const etag = entityTagOf(body);
  // The same URL answers HTML or JSON by Accept; "no-cache" makes browsers
  // revalidate with the ETag, which costs us a stat and a 304.
  const common: HeaderList = [
    ["Vary", "Accept"],
    ["Cache-Control", "no-cache"],
    ["ETag", etag],
  ];
  const headers: HeaderList = [
    [
      "Content-Type",
      json ? "application/json" : "text/html; charset=utf-8",
    ],
    ...common,
    ["X-Content-Type-Options", "nosniff"],
  ];
  if (!json) headers.push(["Content-Security-Policy", LISTING_CSP]);
  return {
    body,
    headers,
    notModifiedHeaders: common,
    etag,
    prepared: new PreparedResponse(200, headers, body),
    notModified: new PreparedResponse(304, common),
  };
}

function stampOf(info: Deno.FileInfo): DirectoryStamp {
  return { ino: info.ino, mtimeMs: info.mtime?.getTime() ?? null };
}

/** Answers `req` with a listing of `dir`. */
export async function serveDirectoryListing(
  req: HttpRequest,
  res: ResponseWriter,
  dir: DirectoryTarget,
  options: ListingOptions,
): Promise<void> {
  const cache = options.cache ?? defaultCache;
  const query = parseListingQuery(req.query);
  const format = chooseListingFormat(query, req.headers.get("accept"));
  const key = `${options.dotfiles ? "+" : "-"}${dir.urlPath}\0${dir.fsPath}`;
  let snapshot;
  try {
    const info = dir.info ?? Deno.statSync(dir.fsPath);
    snapshot = cache.snapshot(
      key,
      stampOf(info),
      () =>
        readDirectoryEntries(dir.fsPath, {
          dotfiles: options.dotfiles,
          root: options.root ?? docrootOf(dir),
        }),
    );
  } catch (err) {
    const status = statusOfVanishedPath(err, "directory");
    if (status === null) throw err;
    await sendErrorPage(res, status, { detail: req.path });
    return;
  }
  // JSON has no layout, so every layout shares its one variant.
  const layout = format === "json" ? "table" : query.layout ?? "table";
  const variantKey = format + sortQueryOf(query.sort) + layout;
  let rendered = snapshot.variants.get(variantKey);
  if (rendered === undefined) {
    rendered = renderVariant(
      dir.urlPath,
      snapshot.entries,
      query.sort,
      format,
      layout,
    );
    cache.remember(key, snapshot, variantKey, rendered);
  }
  const ifNoneMatch = req.headers.get("if-none-match");
  if (
    ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, rendered.etag)
  ) {
    if (rendered.notModified) await res.sendPrepared(rendered.notModified);
    else await res.send(304, rendered.notModifiedHeaders);
    return;
  }
  if (rendered.prepared) await res.sendPrepared(rendered.prepared);
  else await res.send(200, rendered.headers, rendered.body);
}
