/**
 * Answering `GET /path/image.jpg?thumbnail`: a small WebP copy of the
 * image, made on first request in a worker and kept in memory by file
 * version, or a picture icon (SVG) when the file cannot be shrunk — an
 * SVG, a GIF, a corrupt or truncated file, one larger than the pixel or
 * byte budget. A thumbnail request never answers 500 for a bad image.
 *
 * Validators: a kept answer has an entity tag made from the file's size,
 * mtime and inode, and the file's mtime as its `Last-Modified`, so a
 * client revalidates (`If-None-Match` or `If-Modified-Since`, evaluated
 * by `lib/http/conditional.ts`) against the `stat` the request was
 * resolved with and gets 304 without anything being read or decoded;
 * answers to passing conditions (the queue is full, the file is being
 * written) are `no-store` and have no validators. Images are read through
 * a handle bound inside the document root (`../core/confined_open.ts`).
 *
 * @module
 */

import { evaluatePreconditions } from "../../http/conditional.ts";
import { formatHttpDate } from "../../http/date.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import { mediaTypeOf } from "../../http/media_types.ts";
import {
  lastModifiedOf,
  makeEntityTag,
  type Validators,
} from "../../http/validators.ts";
import { logDebug } from "../../common/log.ts";
import { sendErrorPage } from "../core/error_page.ts";
import { statusOfVanishedPath } from "../core/fs_errors.ts";
import { type ConfinedFile, openConfinedFile } from "../core/confined_open.ts";
import { mediaKindOf } from "../core/media_kind.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";
import {
  type CachedThumbnail,
  type ProducedThumbnail,
  ThumbnailCache,
  thumbnailKeyOf,
} from "./cache.ts";
import { THUMBNAIL_MEDIA_TYPE, ThumbnailError } from "./codec.ts";
import { ThumbnailRenderer } from "./renderer.ts";
import { SourceBudget } from "./source_budget.ts";

/** A regular file to make a thumbnail of (as the dispatcher resolved it). */
export interface ThumbnailSource {
  /** Its path on disk, as the URL named it. */
  fsPath: string;
  /** Its checked real path (default: `fsPath`). */
  realPath?: string;
  /** Its `stat`, as checked during resolution. */
  info: Deno.FileInfo;
}

/** Options for {@linkcode serveThumbnail}; every field has a default. */
export interface ThumbnailOptions {
  /** Where answers are kept (default: one per process). */
  cache?: ThumbnailCache;
  /** What makes thumbnails (default: one worker per process). */
  renderer?: ThumbnailRenderer;
  /** Bytes of source files read at once (default: one per process). */
  sourceBudget?: SourceBudget;
  /** Files larger than this get the icon without being read. */
  maxFileBytes?: number;
  /**
   * A file changed less than this many ms ago may change again within the
   * same mtime tick, unseen; its answer is not kept.
   */
  racyWindowMs?: number;
  /** Real path of the document root; images are read bound inside it. */
  root?: string;
}

/** Default {@linkcode ThumbnailOptions.maxFileBytes}: 64 MiB. */
export const DEFAULT_MAX_THUMBNAIL_FILE_BYTES = 64 * 1024 * 1024;
/** Default {@linkcode ThumbnailOptions.racyWindowMs}. */
export const DEFAULT_THUMBNAIL_RACY_WINDOW_MS = 2000;

/**
 * The picture icon answered for images that get no thumbnail: 160 px
 * square like the largest thumbnail, in mid tones that read on light and
 * dark pages alike.
 */
export const PICTURE_ICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="160" height="160"><rect x="7" y="13" width="50" height="38" rx="5" fill="#ece7f6" stroke="#8f86a6" stroke-width="3"/><circle cx="23" cy="27" r="5" fill="#8f86a6"/><path d="M10 48 24 34l9 9 8-8 13 13z" fill="#8f86a6"/></svg>`;

const ICON_BYTES = new TextEncoder().encode(PICTURE_ICON_SVG);
// Bumped when thumbnails (size, format) or their tags change, so old tags
// stop matching.
const TAG_VERSION = "t2";

let sharedCache: ThumbnailCache | undefined;
let sharedRenderer: ThumbnailRenderer | undefined;
let sharedBudget: SourceBudget | undefined;

/**
 * The validators of a kept answer made from the version `info` of a file:
 * the answer changes exactly when the file does (or spidey's thumbnails
 * do, which `TAG_VERSION` tells apart), so the file's identity and mtime
 * serve. A client revalidating by date alone keeps a thumbnail an older
 * spidey made: still a picture of the same image.
 */
function validatorsOf(info: Deno.FileInfo, icon: boolean): Validators {
  const mtimeMs = info.mtime?.getTime();
  return {
    etag: makeEntityTag(
      { size: info.size, mtimeMs: mtimeMs ?? 0, ino: info.ino ?? 0 },
      false,
      icon ? `${TAG_VERSION}i` : TAG_VERSION,
    ),
    lastModifiedMs: lastModifiedOf(mtimeMs ?? null, Date.now()),
  };
}

function answerOf(
  body: Uint8Array,
  icon: boolean,
  validators: Validators | null,
): CachedThumbnail {
  const revalidation: HeaderList = [
    ["Cache-Control", validators === null ? "no-store" : "no-cache"],
  ];
  if (validators !== null) {
    if (validators.lastModifiedMs !== null) {
      revalidation.push([
        "Last-Modified",
        formatHttpDate(validators.lastModifiedMs),
      ]);
    }
    revalidation.push(["ETag", validators.etag]);
  }
  const headers: HeaderList = [
    ["Content-Type", icon ? "image/svg+xml" : THUMBNAIL_MEDIA_TYPE],
    ...revalidation,
    ["X-Content-Type-Options", "nosniff"],
  ];
  // The icon is our own markup, but an SVG opened on its own is a
  // document: allow it nothing.
  if (icon) headers.push(["Content-Security-Policy", "default-src 'none'"]);
  return {
    body,
    headers,
    notModifiedHeaders: validators === null ? [] : revalidation,
    validators,
  };
}

/** The icon answer for `file`, kept (with a tag) unless `transient`. */
function iconFor(
  file: ThumbnailSource,
  transient: boolean,
): ProducedThumbnail {
  return {
    value: answerOf(
      ICON_BYTES,
      true,
      transient ? null : validatorsOf(file.info, true),
    ),
    cacheable: !transient,
  };
}

/**
 * The contents of `file`, read through a handle bound inside `root`, and
 * whether they are the version `file.info` describes.
 *
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} when the
 * file is gone or leads out of the root by now.
 */
async function readSource(
  file: ThumbnailSource,
  root: string,
): Promise<{ bytes: Uint8Array; same: boolean }> {
  const opened = openConfinedFile(root, file.fsPath, {
    realPath: file.realPath ?? file.fsPath,
    info: file.info,
  });
  if (opened === "forbidden") {
    throw new Deno.errors.PermissionDenied("Image is outside the root");
  }
  if (opened === "not-found") throw new Deno.errors.NotFound("No image");
  try {
    const now = opened.info;
    const bytes = await readWhole(opened, now.size);
    const same = bytes.length === file.info.size &&
      now.size === file.info.size &&
      now.mtime?.getTime() === file.info.mtime?.getTime() &&
      now.ino === file.info.ino;
    return { bytes, same };
  } finally {
    opened.close();
  }
}

/** Reads up to `size` bytes from the start, off the JavaScript thread. */
async function readWhole(
  file: ConfinedFile,
  size: number,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const n = await file.read(bytes.subarray(filled), filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}

async function produce(
  file: ThumbnailSource,
  renderer: ThumbnailRenderer,
  budget: SourceBudget,
  maxFileBytes: number,
  racyWindowMs: number,
  root: string,
): Promise<ProducedThumbnail> {
  const { fsPath, info } = file;
  if (mediaKindOf(mediaTypeOf(fsPath) ?? null) !== "thumbnail") {
    return iconFor(file, false);
  }
  if (info.size > maxFileBytes) return iconFor(file, false);
  const mtime = info.mtime?.getTime();
  // Without an mtime or inode a changed file could keep its key.
  let stable = mtime !== undefined && info.ino !== null &&
    Date.now() - mtime >= racyWindowMs;
  // Room for the file before reading it; busy: the icon, not kept.
  const release = budget.tryTake(info.size);
  if (release === null) {
    logDebug(`No thumbnail of ${fsPath}: too many images being read`);
    return iconFor(file, true);
  }
  try {
    const { bytes, same } = await readSource(file, root);
    // Changed since it was resolved: answer, but keep nothing.
    if (!same) stable = false;
    const started = performance.now();
    const thumb = await renderer.render(bytes);
    logDebug(
      `Thumbnail of ${fsPath}: ${thumb.width}×${thumb.height}, ${thumb.bytes.length} bytes, ready after ${
        (performance.now() - started).toFixed(1)
      } ms (queue included)`,
    );
    return {
      value: answerOf(
        thumb.bytes,
        false,
        stable ? validatorsOf(info, false) : null,
      ),
      cacheable: stable,
    };
  } catch (err) {
    if (!(err instanceof ThumbnailError)) throw err;
    logDebug(`No thumbnail of ${fsPath}: ${err.message}`);
    return iconFor(file, err.transient || !stable);
  } finally {
    // Read, queued and rendered (or refused): the bytes are let go.
    release();
  }
}

/**
 * Answers `req` with the thumbnail of `file` (or the picture icon). Meant
 * for the dispatcher: `if (req.query === THUMBNAIL_QUERY &&
 * isThumbnailable(found.fsPath)) return serveThumbnail(req, res, found)`.
 * The method has been checked by then (GET or HEAD).
 */
export async function serveThumbnail(
  req: HttpRequest,
  res: ResponseWriter,
  file: ThumbnailSource,
  options: ThumbnailOptions = {},
): Promise<void> {
  const cache = options.cache ?? (sharedCache ??= new ThumbnailCache());
  const renderer = options.renderer ??
    (sharedRenderer ??= new ThumbnailRenderer());
  const maxFileBytes = options.maxFileBytes ??
    DEFAULT_MAX_THUMBNAIL_FILE_BYTES;
  const racyWindowMs = options.racyWindowMs ??
    DEFAULT_THUMBNAIL_RACY_WINDOW_MS;
  let answer: CachedThumbnail;
  try {
    answer = await cache.resolve(
      thumbnailKeyOf(file.fsPath, file.info),
      () =>
        produce(
          file,
          renderer,
          options.sourceBudget ?? (sharedBudget ??= new SourceBudget()),
          maxFileBytes,
          racyWindowMs,
          options.root ?? "/",
        ),
    );
  } catch (err) {
    const status = statusOfVanishedPath(err, "file");
    if (status === null) throw err;
    await sendErrorPage(res, status, { detail: req.path });
    return;
  }
  const outcome = evaluatePreconditions(req.headers, answer.validators);
  if (outcome === "not-modified") {
    await res.send(304, answer.notModifiedHeaders);
    return;
  }
  if (outcome === "failed") {
    await sendErrorPage(res, 412);
    return;
  }
  await res.send(200, answer.headers, answer.body);
}
