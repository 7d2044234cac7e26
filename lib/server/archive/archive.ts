/**
 * Folder downloads (`--archives`): `?download=tar.gz` or `?download=zip`
 * on a folder URL streams the folder as an archive, made while it is
 * sent (chunked on HTTP/1.1, close-delimited on HTTP/1.0), so any size
 * costs constant memory (a zip's central directory aside: see `zip.ts`).
 * What goes in is what a listing would show (see `walk.ts`).
 *
 * @module
 */

import type { HeaderList } from "../../http/header_fields.ts";
import { logDebug, logWarning } from "../../common/log.ts";
import { isDisconnect } from "../core/connection.ts";
import { sendErrorPage } from "../core/error_page.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";
import { ArchiveSlots } from "./slots.ts";
import { tarStream } from "./tar.ts";
import { walkFolder } from "./walk.ts";
import { zipStream } from "./zip.ts";

/** The archive formats offered. */
export type ArchiveFormat = "tar.gz" | "zip";

/** Most archives one process sends at once; more get 503. */
export const MAX_ARCHIVES = 4;

/** `Retry-After` of a 503 when every archive slot is taken, in seconds. */
export const ARCHIVE_RETRY_AFTER = "10";

/** Options of {@linkcode serveArchive}. */
export interface ArchiveOptions {
  /** Real path of the document root. */
  root: string;
  /** Include names that start with a dot. */
  dotfiles: boolean;
  /** The slots archives take (default: {@linkcode MAX_ARCHIVES}, shared). */
  archiveSlots?: ArchiveSlots;
}

const sharedSlots = new ArchiveSlots(MAX_ARCHIVES);

/** A folder to archive: a directory verdict of the resolver. */
export interface ArchiveFolder {
  /** Its checked real path. */
  realPath: string;
  /** Its URL path, ending in `/`. */
  urlPath: string;
  /** Its `stat`. */
  info: Deno.FileInfo;
}

/** The format a folder URL's query asks for (`download=zip`…), or null. */
export function archiveFormatOf(query: string): ArchiveFormat | null {
  for (const param of query.split(/[&;]/)) {
    if (param === "download=tar.gz") return "tar.gz";
    if (param === "download=zip") return "zip";
  }
  return null;
}

/** The name of the folder's archive: its own name, or the root's. */
export function archiveBaseName(urlPath: string, root: string): string {
  const segments = urlPath.split("/").filter((s) => s !== "");
  return segments.at(-1) ?? (root.split("/").filter((s) => s !== "").at(-1) ??
    "root");
}

/**
 * A `Content-Disposition` that downloads as `filename`: an ASCII fallback
 * for old clients and the exact name in RFC 8187 form.
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * Answers `req` with the folder `dir` as a `format` archive, or 503 with
 * `Retry-After` when as many are being sent already as the slots allow.
 */
export async function serveArchive(
  req: HttpRequest,
  res: ResponseWriter,
  dir: ArchiveFolder,
  format: ArchiveFormat,
  options: ArchiveOptions,
): Promise<void> {
  // A HEAD walks nothing: it needs no slot.
  const release = req.method === "HEAD"
    ? () => {}
    : (options.archiveSlots ?? sharedSlots).tryTake();
  if (release === null) {
    logDebug(`${req.peer} | Archive refused: every slot is taken`);
    await sendErrorPage(res, 503, {
      headers: [["Retry-After", ARCHIVE_RETRY_AFTER]],
    });
    return;
  }
  try {
    await sendArchive(req, res, dir, format, options);
  } finally {
    release();
  }
}

async function sendArchive(
  req: HttpRequest,
  res: ResponseWriter,
  dir: ArchiveFolder,
  format: ArchiveFormat,
  options: ArchiveOptions,
): Promise<void> {
  const base = archiveBaseName(dir.urlPath, options.root);
  const headers: HeaderList = [
    ["Content-Type", format === "zip" ? "application/zip" : "application/gzip"],
    ["Content-Disposition", attachmentDisposition(`${base}.${format}`)],
    ["Cache-Control", "no-store"],
    ["X-Content-Type-Options", "nosniff"],
  ];
  await res.start(200, headers, null);
  if (req.method === "HEAD") {
    await res.end();
    return;
  }
  logDebug(`${req.peer} | Archive ${dir.urlPath} as ${format}`);
  const entries = walkFolder(dir.realPath, dir.info, base, options);
  const stream: AsyncIterable<Uint8Array> = format === "zip"
    ? zipStream(entries)
    : ReadableStream.from(copies(tarStream(entries)))
      .pipeThrough(
        new CompressionStream("gzip") as unknown as TransformStream<
          Uint8Array,
          Uint8Array
        >,
      );
  try {
    for await (const chunk of stream) await res.write(chunk);
    await res.end();
  } catch (err) {
    // The head is out: a cut body is all that can tell the client.
    res.abort();
    if (isDisconnect(err)) return;
    logWarning(
      `${req.peer} | Archive of ${dir.urlPath} failed: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
}

/**
 * Copies of `pieces`: a stream may queue a piece while the next is read
 * into the buffer that held it.
 */
async function* copies(
  pieces: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  for await (const piece of pieces) yield piece.slice();
}
