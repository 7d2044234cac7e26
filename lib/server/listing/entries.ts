/**
 * Reading a directory for a listing: one `readDirSync` pass plus one
 * `lstat` per entry, keeping only what a visitor could follow. Symlinks
 * are resolved and kept only when their target lies inside the document
 * root, so a listing never reveals the size, time or type of anything
 * outside it; broken links, escaping links and special files (sockets,
 * FIFOs, devices) are left out, since the server would refuse them anyway.
 *
 * @module
 */

import { DEFAULT_MEDIA_TYPE, mediaTypeOf } from "../../http/media_types.ts";
import { isInside } from "../core/docroot.ts";

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
 * A finite mtime, or null. `stat` can report times a `Date` cannot hold,
 * and formatting those later would throw (darkhttpd's CVE-2020-25691 was a
 * crash from one such time).
 */
function timeOf(info: Deno.FileInfo): number | null {
  const ms = info.mtime?.getTime();
  return ms !== undefined && Number.isFinite(ms) ? ms : null;
}

/**
 * When anything `stat` says of a file last changed: its ctime, which moves
 * on every write, rename and `utime` and cannot be set back (unlike the
 * mtime, which `touch -d` or `cp -p` can put in the past); the mtime where
 * the platform has no ctime; null when neither is a finite time.
 */
export function changeTimeOf(info: Deno.FileInfo): number | null {
  const ctime = info.ctime?.getTime();
  if (ctime !== undefined && Number.isFinite(ctime)) return ctime;
  return timeOf(info);
}

function entryFrom(name: string, info: Deno.FileInfo): ListingEntry | null {
  if (info.isDirectory) {
    return {
      name,
      isDirectory: true,
      size: info.size,
      mtimeMs: timeOf(info),
      mime: null,
    };
  }
  if (!info.isFile) return null;
  return {
    name,
    isDirectory: false,
    size: info.size,
    mtimeMs: timeOf(info),
    mime: mediaTypeOf(name) ?? DEFAULT_MEDIA_TYPE,
  };
}

function followInside(
  path: string,
  root: string,
): Deno.FileInfo | null {
  try {
    const real = Deno.realPathSync(path);
    if (!isInside(root, real)) return null;
    return Deno.statSync(real);
  } catch {
    // Broken or looping link, or a target we may not read.
    return null;
  }
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
  const base = fsPath.endsWith("/") ? fsPath : `${fsPath}/`;
  const out: ListingEntry[] = [];
  let changedMs: number | null = null;
  for (const dirent of Deno.readDirSync(fsPath)) {
    const name = dirent.name;
    if (!options.dotfiles && name.charCodeAt(0) === 46 /* . */) continue;
    let info: Deno.FileInfo | null;
    if (dirent.isSymlink) {
      info = followInside(base + name, options.root);
    } else {
      try {
        info = Deno.lstatSync(base + name);
      } catch {
        info = null;
      }
    }
    if (info === null) continue;
    const entry = entryFrom(name, info);
    if (entry === null) continue;
    out.push(entry);
    const changed = changeTimeOf(info);
    if (changed !== null && (changedMs === null || changed > changedMs)) {
      changedMs = changed;
    }
  }
  return { entries: out, changedMs };
}
