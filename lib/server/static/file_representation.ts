/**
 * One version of a file as HTTP sees it: its validators (`ETag`,
 * `Last-Modified`), the ready-made headers of its 200/206 and 304
 * responses, and whether it changed too recently for its `stat` to be
 * trusted ("racy"). Built once per version, so a cached file costs no
 * formatting per request.
 *
 * @module
 */

import { formatHttpDate } from "../../http/date.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import { contentTypeOf } from "../../http/media_types.ts";
import {
  lastModifiedOf,
  makeEntityTag,
  type Validators,
  variantEntityTag,
} from "../../http/validators.ts";
import {
  type CompressedCoding,
  ETAG_SUFFIXES,
} from "../../http/content_coding.ts";
import type { CacheableEntry, FileStamp } from "./file_cache.ts";
import { PreparedResponse } from "../core/prepared_response.ts";

/** What part of a file a response carries, with which status. */
export interface Span {
  /** 200 for the whole file, 206 for a range. */
  readonly status: 200 | 206;
  /** The representation's headers, plus `Content-Range` for a 206. */
  readonly headers: HeaderList;
  /** Offset of the first byte. */
  readonly start: number;
  /** Number of bytes. */
  readonly length: number;
}

/** One version of a file, with everything its responses need. */
export interface FileRepresentation extends CacheableEntry, Validators {
  /** Size in bytes. */
  readonly size: number;
  /** Headers of a 200 or 206 (the writer adds `Content-Length`). */
  readonly headers: HeaderList;
  /** Headers of a 304. */
  readonly notModifiedHeaders: HeaderList;
  /** The whole file as a 200. */
  readonly whole: Span;
  /** The contents, once read, for a small file that may be cached. */
  readonly body: Uint8Array | null;
  /** The whole file as a ready-made 200, once the contents are read. */
  readonly prepared: PreparedResponse | null;
  /** The ready-made 304. */
  readonly notModified: PreparedResponse;
  /** False for a racy file, which must not be cached. */
  readonly stable: boolean;
  /** The content coding of the bytes, or null for none. */
  readonly coding: CompressedCoding | null;
}

/** How a representation differs from the plain file at its path. */
export interface RepresentationOptions {
  /** `Content-Type` (default: by the file's name). */
  contentType?: string;
  /**
   * The coding the bytes carry (a precompressed copy, or compressed on
   * the fly): sent as `Content-Encoding`, suffixed to the entity tag, and
   * without `Accept-Ranges`, as ranges are served from the plain file.
   */
  coding?: CompressedCoding;
  /** Send `Vary: Accept-Encoding` (the URL has compressed variants). */
  vary?: boolean;
}

/** Charge against a cache budget for headers and bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * True when a file changed too recently for its `stat` to tell a later
 * write apart: timestamps advance in ticks, so a second write in the same
 * tick with the same size leaves the `stat` as it was. Deno reports ctime
 * in whole seconds, so the window is a second wider for it.
 */
export function isRacy(
  stamp: FileStamp,
  nowMs: number,
  windowMs: number,
): boolean {
  if (windowMs <= 0) return false;
  return nowMs - stamp.mtimeMs < windowMs ||
    nowMs - stamp.ctimeMs < windowMs + 1000;
}

/**
 * Describes the version `stamp` of the file at `fsPath` at time `nowMs`.
 * A racy file gets weak validators, which never confirm a range or a date
 * condition.
 */
export function describeFile(
  fsPath: string,
  stamp: FileStamp,
  nowMs: number,
  racyWindowMs: number,
  options: RepresentationOptions = {},
): FileRepresentation {
  const stable = !isRacy(stamp, nowMs, racyWindowMs);
  const coding = options.coding ?? null;
  const plainTag = makeEntityTag(stamp, !stable);
  const etag = coding === null
    ? plainTag
    : variantEntityTag(plainTag, ETAG_SUFFIXES[coding]);
  const lastModifiedMs = lastModifiedOf(stamp.mtimeMs, nowMs);
  const headers: HeaderList = [
    ["Content-Type", options.contentType ?? contentTypeOf(fsPath)],
  ];
  const notModifiedHeaders: HeaderList = [];
  if (coding !== null) headers.push(["Content-Encoding", coding]);
  if (options.vary === true) {
    headers.push(["Vary", "Accept-Encoding"]);
    notModifiedHeaders.push(["Vary", "Accept-Encoding"]);
  }
  if (lastModifiedMs !== null) {
    const value = formatHttpDate(lastModifiedMs);
    headers.push(["Last-Modified", value]);
    notModifiedHeaders.push(["Last-Modified", value]);
  }
  headers.push(["ETag", etag]);
  if (coding === null) headers.push(["Accept-Ranges", "bytes"]);
  notModifiedHeaders.push(["ETag", etag]);
  return {
    stamp,
    cost: ENTRY_OVERHEAD_BYTES + 2 * fsPath.length,
    size: stamp.size,
    etag,
    lastModifiedMs,
    headers,
    notModifiedHeaders,
    whole: { status: 200, headers, start: 0, length: stamp.size },
    body: null,
    prepared: null,
    notModified: new PreparedResponse(304, notModifiedHeaders),
    stable,
    coding,
  };
}

/**
 * `rep` with its contents attached and its 200 prepared, charged for the
 * contents and the prepared bytes.
 */
export function withBody(
  rep: FileRepresentation,
  body: Uint8Array,
): FileRepresentation {
  const prepared = new PreparedResponse(200, rep.headers, body);
  return { ...rep, body, prepared, cost: rep.cost + 2 * prepared.cost };
}
