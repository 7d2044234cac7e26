/**
 * Directory listings: an HTML page for people (a table or a grid, with
 * thumbnails and players) or JSON for scripts, in the order the query
 * asks (`?C=M;O=D;view=grid`), served from a {@linkcode ListingCache} so
 * that a hot listing costs one write (with a watch of the tree, no
 * file-system call at all). The directory is read through a handle bound
 * inside the document root. Each variant has a
 * strong `ETag` (a hash of its bytes) and, once the directory has been
 * still for a moment, a `Last-Modified`; conditional requests are
 * answered by `lib/http/conditional.ts` like those for files. Listings
 * of 1 KiB or more are compressed as `Accept-Encoding` asks (br, gzip),
 * each coding a variant of its own, compressed once and cached, with its
 * own tag.
 *
 * @module
 */

import { PreparedResponse } from "../core/prepared_response.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import { evaluatePreconditions } from "../../http/conditional.ts";
import { formatHttpDate } from "../../http/date.ts";
import {
  contentEntityTag,
  lastModifiedOf,
  variantEntityTag,
} from "../../http/validators.ts";
import {
  COMPRESSED_CODINGS,
  type CompressedCoding,
  ETAG_SUFFIXES,
  MIN_COMPRESSIBLE_BYTES,
  negotiateContentCoding,
} from "../../http/content_coding.ts";
import { compressBody } from "../../http/compression.ts";
import { sendErrorPage } from "../core/error_page.ts";
import { statusOfVanishedPath } from "../core/fs_errors.ts";
import { readConfinedDirectory } from "../core/confined_open.ts";
import {
  type DirectoryRead,
  type DirectoryStamp,
  ListingCache,
  type ListingSnapshot,
  type RenderedListing,
} from "./cache.ts";
import {
  changeTimeOf,
  type ListingEntry,
  readDirectoryEntries,
} from "./entries.ts";
import { LISTING_CSP, renderListingHtml } from "./page.ts";
import { renderListingJson } from "./json.ts";
import {
  chooseListingFormat,
  type ListingFormat,
  type ListingLayout,
  parseListingQuery,
  sortQueryOf,
} from "./query.ts";
import { DEFAULT_SORT, type ListingSort, sortEntries } from "./sort.ts";

// The sort nearly every request asks for, keyed once.
const DEFAULT_SORT_QUERY = sortQueryOf(DEFAULT_SORT);
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";

/** A directory to list. */
export interface DirectoryTarget {
  /** Its path on disk, as the URL named it. */
  fsPath: string;
  /** Its checked real path (default: `fsPath`). */
  realPath?: string;
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
   * they resolve inside it.
   */
  root: string;
  /** The cache to use (default: one shared by the process, no watch). */
  cache?: ListingCache;
  /** True for the folders whose page shows the upload form (default: none). */
  uploadsAllowed?: (urlPath: string) => boolean;
  /** Pages link to `.tar.gz` and `.zip` downloads of the folder. */
  archives?: boolean;
}

const sharedCache = new ListingCache();
const encoder = new TextEncoder();

/**
 * How long after the last change a listing goes without `Last-Modified`:
 * Deno gives ctimes in whole seconds, and a second change within the
 * same second would leave the date as it was, so the read must come a
 * full second after it, plus a second of margin for coarse file-system
 * clocks (the racy window of files, for the same reason).
 */
const LISTING_RACY_WINDOW_MS = 2000;

/**
 * Reads `dir` for a listing, dated by when what a listing shows last
 * changed. Its bytes change when an entry is added, removed or renamed,
 * which changes the directory's ctime, or when a listed entry's type,
 * size or mtime changes, which changes that entry's ctime. So the newest
 * ctime of the directory and its listed entries is the date. The
 * directory's mtime alone would miss edits of entries; the newest entry
 * mtime would miss deletions and renames, and mtimes set into the past
 * (`touch -d`, `cp -p`). A ctime also moves on `chmod`, and the
 * directory's when a hidden entry comes or goes, which only costs a
 * client a 200 it could have skipped. The directory is stat'ed after the
 * read, so a change racing the read cannot be missed.
 */
function readDirectory(
  dir: DirectoryTarget,
  options: ListingOptions,
): DirectoryRead {
  const readAt = Date.now();
  // Read through a handle bound inside the root: a symlink swapped on
  // the way cannot show another directory's names.
  const read = readConfinedDirectory(
    options.root,
    dir.realPath ?? dir.fsPath,
    (dirPath, checked) => ({
      ...readDirectoryEntries(dirPath, options),
      dirChangedMs: changeTimeOf(checked.info),
    }),
  );
  if (read === "forbidden") {
    throw new Deno.errors.PermissionDenied("Directory is outside the root");
  }
  if (read === "not-found") throw new Deno.errors.NotFound("No directory");
  const { entries, changedMs, dirChangedMs } = read;
  const newest = changedMs === null || dirChangedMs === null
    ? changedMs ?? dirChangedMs
    : Math.max(changedMs, dirChangedMs);
  const settled = newest !== null &&
    readAt - newest >= LISTING_RACY_WINDOW_MS;
  return {
    entries,
    lastModifiedMs: settled ? lastModifiedOf(newest, readAt) : null,
    // Read again once it has been still long enough to get a date.
    trustForMs: settled || newest === null
      ? undefined
      : Math.max(0, newest + LISTING_RACY_WINDOW_MS - readAt),
  };
}

function renderVariant(
  urlPath: string,
  entries: readonly ListingEntry[],
  lastModifiedMs: number | null,
  sort: ListingSort,
  format: ListingFormat,
  layout: ListingLayout,
  extras: { upload: boolean; archives: boolean },
): RenderedListing {
  const sorted = sortEntries(entries, sort);
  const json = format === "json";
  const body = encoder.encode(
    json ? renderListingJson(urlPath, sorted) : renderListingHtml({
      urlPath,
      entries: sorted,
      sort,
      layout,
      ...extras,
    }),
  );
  const etag = contentEntityTag(body);
  // The same URL answers HTML or JSON by Accept, compressed or not by
  // Accept-Encoding; "no-cache" makes browsers revalidate with the ETag,
  // which costs us a stat and a 304.
  const common: HeaderList = [
    ["Vary", "Accept, Accept-Encoding"],
    ["Cache-Control", "no-cache"],
  ];
  if (lastModifiedMs !== null) {
    common.push(["Last-Modified", formatHttpDate(lastModifiedMs)]);
  }
  common.push(["ETag", etag]);
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
    lastModifiedMs,
    prepared: new PreparedResponse(200, headers, body),
    notModified: new PreparedResponse(304, common),
  };
}

/**
 * `plain` compressed with `coding`: the same headers but for
 * `Content-Encoding` and a tag of its own.
 */
async function compressVariant(
  plain: RenderedListing,
  coding: CompressedCoding,
): Promise<RenderedListing> {
  const body = await compressBody(plain.body, coding);
  const etag = variantEntityTag(plain.etag, ETAG_SUFFIXES[coding]);
  const retag = (list: HeaderList): HeaderList =>
    list.map(([name, value]) => [name, name === "ETag" ? etag : value]);
  const headers = retag(plain.headers);
  // Right after Content-Type, as files have it.
  headers.splice(1, 0, ["Content-Encoding", coding]);
  const notModifiedHeaders = retag(plain.notModifiedHeaders);
  return {
    body,
    headers,
    notModifiedHeaders,
    etag,
    lastModifiedMs: plain.lastModifiedMs,
    prepared: new PreparedResponse(200, headers, body),
    notModified: new PreparedResponse(304, notModifiedHeaders),
  };
}

function stampOf(info: Deno.FileInfo): DirectoryStamp {
  return { ino: info.ino, mtimeMs: info.mtime?.getTime() ?? null };
}

/** The variant of a listing a request asks for, and where it is cached. */
interface ListingVariant {
  cache: ListingCache;
  key: string;
  snapshot: ListingSnapshot;
  variantKey: string;
  /** The uncompressed variant. */
  rendered: RenderedListing;
  /** The coding `Accept-Encoding` chose; null when none is acceptable. */
  coding: CompressedCoding | "identity" | null;
}

/**
 * The variant of `dir`'s listing that `req` asks for, read and rendered
 * now unless cached; or the status that answers a directory gone since it
 * was resolved.
 */
function listingVariant(
  req: HttpRequest,
  dir: DirectoryTarget,
  options: ListingOptions,
): ListingVariant | number {
  const query = parseListingQuery(req.query);
  const format = chooseListingFormat(query, req.headers.get("accept"));
  const cache = options.cache ?? sharedCache;
  const key = `${options.dotfiles ? "+" : "-"}${dir.urlPath}\0${dir.fsPath}`;
  const realPath = dir.realPath ?? dir.fsPath;
  const paths = realPath === dir.fsPath ? [realPath] : [realPath, dir.fsPath];
  let snapshot;
  try {
    const info = dir.info ?? Deno.statSync(dir.fsPath);
    snapshot = cache.snapshot(
      key,
      stampOf(info),
      () => readDirectory(dir, options),
      paths,
    );
  } catch (err) {
    const status = statusOfVanishedPath(err, "directory");
    if (status === null) throw err;
    return status;
  }
  // JSON has no layout, so every layout shares its one variant.
  const layout = format === "json" ? "table" : query.layout ?? "table";
  const variantKey = format +
    (query.sort === DEFAULT_SORT
      ? DEFAULT_SORT_QUERY
      : sortQueryOf(query.sort)) +
    layout;
  let rendered = snapshot.variants.get(variantKey);
  if (rendered === undefined) {
    rendered = renderVariant(
      dir.urlPath,
      snapshot.entries,
      snapshot.lastModifiedMs,
      query.sort,
      format,
      layout,
      {
        upload: options.uploadsAllowed?.(dir.urlPath) ?? false,
        archives: options.archives ?? false,
      },
    );
    cache.remember(key, snapshot, variantKey, rendered);
  }
  const coding = negotiateContentCoding(
    req.headers.get("accept-encoding"),
    rendered.body.length >= MIN_COMPRESSIBLE_BYTES ? COMPRESSED_CODINGS : [],
  );
  return { cache, key, snapshot, variantKey, rendered, coding };
}

/**
 * The prepared 200 that answers `req` with `dir`'s listing when the
 * variant it asks for (compressed too) is in memory and no precondition
 * stands in the way; null otherwise, when {@linkcode serveDirectoryListing}
 * answers. Reads the directory only when its listing is not cached.
 */
export function readyListing(
  req: HttpRequest,
  dir: DirectoryTarget,
  options: ListingOptions,
): PreparedResponse | null {
  const variant = listingVariant(req, dir, options);
  if (typeof variant === "number" || variant.coding === null) return null;
  const rendered = variant.coding === "identity"
    ? variant.rendered
    : variant.snapshot.variants.get(`${variant.variantKey}:${variant.coding}`);
  if (rendered === undefined) return null;
  return evaluatePreconditions(req.headers, rendered) === "proceed"
    ? rendered.prepared ?? null
    : null;
}

/** Answers `req` with a listing of `dir`. */
export async function serveDirectoryListing(
  req: HttpRequest,
  res: ResponseWriter,
  dir: DirectoryTarget,
  options: ListingOptions,
): Promise<void> {
  const variant = listingVariant(req, dir, options);
  if (typeof variant === "number") {
    await sendErrorPage(res, variant, { detail: req.path });
    return;
  }
  const { cache, key, snapshot, variantKey, coding } = variant;
  let rendered: RenderedListing | undefined = variant.rendered;
  if (coding === null) {
    await sendErrorPage(res, 406, {
      headers: [["Vary", "Accept, Accept-Encoding"]],
    });
    return;
  }
  if (coding !== "identity") {
    const codedKey = `${variantKey}:${coding}`;
    const plain = rendered;
    rendered = snapshot.variants.get(codedKey);
    if (rendered === undefined) {
      rendered = await compressVariant(plain, coding);
      cache.remember(key, snapshot, codedKey, rendered);
    }
  }
  const outcome = evaluatePreconditions(req.headers, rendered);
  if (outcome === "not-modified") {
    if (rendered.notModified) await res.sendPrepared(rendered.notModified);
    else await res.send(304, rendered.notModifiedHeaders);
    return;
  }
  if (outcome === "failed") {
    await sendErrorPage(res, 412);
    return;
  }
  if (rendered.prepared) await res.sendPrepared(rendered.prepared);
  else await res.send(200, rendered.headers, rendered.body);
}
