/**
 * Reading a directory for a listing: the children a visitor could follow
 * (`../core/directory_children.ts`: symlinks only when their target lies
 * inside the document root, so a listing never reveals the size, time or
 * type of anything outside it; no hidden names, no special files), as
 * rows with their media types and the newest change among them.
 *
 * @module
 */

import { DEFAULT_MEDIA_TYPE, mediaTypeOf } from "../../http/media_types.ts";
import { readDirectoryChildren } from "../core/directory_children.ts";
import { finiteTimeMs } from "../core/file_time.ts";

/** One row of a listing. */
export interface ListingEntry {
  /** The file name as the file system gave it. */
  name: string;
  /** True for directories (and symlinks to directories inside the root). */
  isDirectory: boolean;
  /** Size in bytes (as `stat` reports it; not meaningful for directories). */
  size: number;
  /** Modification time in ms since the epoch, or null when unknown. */
  mtimeMs: number | null;
  /** Media type for files (no parameters); null for directories. */
  mime: string | null;
}

/** What one read of a directory found. */
export interface DirectoryContents {
  /** The rows, in file-system order. */
  entries: ListingEntry[];
  /**
   * The newest {@linkcode changeTimeOf} among the listed entries, or null
   * when there are none (hidden and skipped entries do not count).
   */
  changedMs: number | null;
}

/** Options for {@linkcode readDirectoryEntries}. */
export interface ReadEntriesOptions {
  /** List names that start with a dot. */
  dotfiles: boolean;
  /** Real path of the document root; symlinks must resolve inside it. */
  root: string;
}

/**
 * When anything `stat` says of a file last changed: its ctime, which moves
 * on every write, rename and `utime` and cannot be set back (unlike the
 * mtime, which `touch -d` or `cp -p` can put in the past); the mtime where
 * the platform has no ctime; null when neither is a finite time.
 */
export function changeTimeOf(info: Deno.FileInfo): number | null {
  return finiteTimeMs(info.ctime) ?? finiteTimeMs(info.mtime);
}

/** The row of `info`: a directory or a regular file. */
function entryFrom(name: string, info: Deno.FileInfo): ListingEntry {
  if (info.isDirectory) {
    return {
      name,
      isDirectory: true,
      size: info.size,
      mtimeMs: finiteTimeMs(info.mtime),
      mime: null,
    };
  }
  return {
    name,
    isDirectory: false,
    size: info.size,
    mtimeMs: finiteTimeMs(info.mtime),
    mime: mediaTypeOf(name) ?? DEFAULT_MEDIA_TYPE,
  };
}

/**
 * Lists `fsPath` in file-system order (callers sort), with the newest
 * change among what is listed. Entries that vanish or cannot be statted
 * between the read and the stat are skipped, so one bad entry never fails
 * the whole listing.
 *
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} when the
 * directory itself cannot be read.
 */
export function readDirectoryEntries(
  fsPath: string,
  options: ReadEntriesOptions,
): DirectoryContents {
  const out: ListingEntry[] = [];
  let changedMs: number | null = null;
  for (const { name, info } of readDirectoryChildren(fsPath, fsPath, options)) {
    out.push(entryFrom(name, info));
    const changed = changeTimeOf(info);
    if (changed !== null && (changedMs === null || changed > changedMs)) {
      changedMs = changed;
    }
  }
  return { entries: out, changedMs };
}
