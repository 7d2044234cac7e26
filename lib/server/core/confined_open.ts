/**
 * Opening files and reading directories of the document root so that what
 * is read is what was checked, even while symlinks change under it.
 *
 * Checking a path and then opening it lets a symlink swapped in between
 * send the open elsewhere. So the order is reversed: open first, then ask
 * where the handle really points and check that.
 *
 * - On Linux the real path of an open descriptor is the link
 *   `/proc/self/fd/N`: exact, whatever happened to the path since. A file
 *   is read through its descriptor and `stat`ed through the link; a
 *   directory is listed through the link, so its names are the checked
 *   directory's names. (`node:fs` opens, because it gives the descriptor
 *   number that `Deno.FsFile` hides, and takes flags.)
 * - Elsewhere the handle is bound to the path by identity: `realPath`
 *   the path, check it lies inside the root, and require its `stat` to be
 *   the same device and inode as the handle's. A directory is read
 *   through its checked real path and bound by checking afterwards that
 *   the real path and every directory on it kept their identity (device,
 *   inode, ctime); else it is tried once more, then refused. (ctime is
 *   whole seconds in Deno, so this is weaker than the Linux way.)
 * - Opens never block or take a terminal: `O_NONBLOCK` keeps a FIFO from
 *   stalling the server, `O_NOCTTY` keeps a tty from becoming ours; the
 *   resolver also `stat`s first, so devices and FIFOs are refused unopened
 *   unless one is swapped in at that very moment.
 *
 * @module
 */

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  read as readCallback,
  readSync,
  type Stats,
} from "node:fs";
import { failureOf } from "./fs_errors.ts";

/** A file or directory checked to lie inside the document root. */
export interface ConfinedEntry {
  /** Its real path (no symlinks), inside the root. */
  readonly realPath: string;
  /** Its `stat`, taken through the handle that was checked. */
  readonly info: Deno.FileInfo;
}

/** Why a path cannot be used: missing, or refused. */
export type ConfinementFailure = "not-found" | "forbidden";

/** True when `path` is `root` or inside it (both real, absolute paths). */
export function isInside(root: string, path: string): boolean {
  return path === root ||
    path.startsWith(root.endsWith("/") ? root : root + "/");
}

/** True when `a` and `b` are the same file (device and inode). */
export function sameInode(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.ino !== null && a.ino === b.ino && a.dev === b.dev;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK |
  constants.O_NOCTTY;
const DELETED_SUFFIX = " (deleted)";

let procFdWorks: boolean | undefined;

/** True when `/proc/self/fd/N` names open descriptors (Linux). */
export function hasProcFd(): boolean {
  if (procFdWorks !== undefined) return procFdWorks;
  procFdWorks = false;
  if (Deno.build.os !== "linux") return false;
  try {
    const fd = openSync("/", OPEN_FLAGS);
    try {
      procFdWorks = Deno.readLinkSync(`/proc/self/fd/${fd}`) === "/";
    } finally {
      closeSync(fd);
    }
  } catch {
    // No /proc (a container without it): the portable way it is.
  }
  return procFdWorks;
}

/** Turns the failures a client may cause into a verdict; rethrows others. */
function attempt<T>(fn: () => T): T | ConfinementFailure {
  try {
    return fn();
  } catch (err) {
    const failure = failureOf(err);
    if (failure === null) throw err;
    return failure;
  }
}

function dateOf(ms: number): Date | null {
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/** A `node:fs` `Stats` as a `Deno.FileInfo` (where /proc is missing). */
function fileInfoOf(s: Stats): Deno.FileInfo {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: false,
    size: s.size,
    mtime: dateOf(s.mtimeMs),
    atime: dateOf(s.atimeMs),
    birthtime: dateOf(s.birthtimeMs),
    ctime: dateOf(s.ctimeMs),
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    blksize: s.blksize,
    blocks: s.blocks,
    isBlockDevice: s.isBlockDevice(),
    isCharDevice: s.isCharacterDevice(),
    isFifo: s.isFIFO(),
    isSocket: s.isSocket(),
  };
}

/** The `stat` of open descriptor `fd` (the link is the faster way). */
function fstatOf(fd: number): Deno.FileInfo {
  return hasProcFd()
    ? Deno.statSync(`/proc/self/fd/${fd}`)
    : fileInfoOf(fstatSync(fd));
}

/**
 * Where descriptor `fd` really points, checked against `root`: its real
 * path and `stat`, both taken through the descriptor, or why it may not
 * be used.
 */
function checkDescriptor(
  root: string,
  fd: number,
): ConfinedEntry | ConfinementFailure {
  const link = `/proc/self/fd/${fd}`;
  const realPath = Deno.readLinkSync(link);
  const info = Deno.statSync(link);
  if (!realPath.startsWith("/")) return "forbidden";
  if (realPath.endsWith(DELETED_SUFFIX)) {
    // Unlinked since it was opened, or really named so: only the latter
    // is still there under that name.
    const now = attempt(() => Deno.statSync(realPath));
    if (typeof now === "string" || !sameInode(now, info)) return "not-found";
  }
  if (!isInside(root, realPath)) return "forbidden";
  return { realPath, info };
}

/** The portable check: `path`'s real path is inside and is the handle. */
function checkPath(
  root: string,
  path: string,
  handle: Deno.FileInfo,
): ConfinedEntry | ConfinementFailure {
  const realPath = Deno.realPathSync(path);
  if (!isInside(root, realPath)) return "forbidden";
  // The path now leads elsewhere than the open did: a swap in between.
  if (!sameInode(Deno.statSync(realPath), handle)) return "forbidden";
  return { realPath, info: handle };
}

/** Opens `path`, runs `fn` on the descriptor, and closes it. */
function withDescriptor<T>(
  path: string,
  flags: number,
  fn: (fd: number) => T,
): T {
  const fd = openSync(path, flags);
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Finds out what `path` is without reading it: its real path and `stat`,
 * bound as the module notes describe, or why it may not be used
 * ("forbidden" when it resolves outside `root`, the real path of the
 * document root). Callers `stat` the path first and pass only regular
 * files and directories, so nothing else gets opened.
 *
 * @throws errors other than missing paths and denied access (EMFILE…).
 */
export function inspectConfined(
  root: string,
  path: string,
): ConfinedEntry | ConfinementFailure {
  return attempt(() => {
    if (hasProcFd()) {
      return withDescriptor(
        path,
        OPEN_FLAGS,
        (fd) => checkDescriptor(root, fd),
      );
    }
    return withDescriptor(
      path,
      OPEN_FLAGS,
      (fd) => checkPath(root, path, fileInfoOf(fstatSync(fd))),
    );
  });
}

/**
 * An open regular file of the document root, read by position (so ranges
 * need no seek). Close it when done, after any read has settled.
 */
export class ConfinedFile implements ConfinedEntry {
  /** Its real path, inside the root. */
  readonly realPath: string;
  /** Its `stat` through the open descriptor. */
  readonly info: Deno.FileInfo;
  #fd: number | null;

  /** Wraps descriptor `fd`, which the object now owns. */
  constructor(fd: number, realPath: string, info: Deno.FileInfo) {
    this.#fd = fd;
    this.realPath = realPath;
    this.info = info;
  }

  #open(): number {
    if (this.#fd === null) throw new Deno.errors.BadResource("File is closed");
    return this.#fd;
  }

  /** Reads into `into` from byte `position`; 0 at the end of the file. */
  readSync(into: Uint8Array, position: number): number {
    return readSync(this.#open(), into, 0, into.length, position);
  }

  /** Like {@linkcode readSync}, off the JavaScript thread. */
  read(into: Uint8Array, position: number): Promise<number> {
    const fd = this.#open();
    return new Promise((resolve, reject) =>
      readCallback(
        fd,
        into,
        0,
        into.length,
        position,
        (err, n) => err ? reject(err) : resolve(n),
      )
    );
  }

  /** Closes the descriptor; later calls do nothing. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    closeSync(fd);
  }
}

/**
 * Opens the regular file `path` for reading, bound to a place inside
 * `root` (see the module notes). When `known` is given, the identity of
 * the file as checked before, and its real path now opens that very inode,
 * the check is not repeated: an open and a `stat` are all it costs. Else
 * `path` is opened and checked in full, and returned with its new `stat`,
 * so the caller sees that it changed.
 *
 * @throws errors other than missing paths and denied access (EMFILE…).
 */
export function openConfinedFile(
  root: string,
  path: string,
  known?: ConfinedEntry,
): ConfinedFile | ConfinementFailure {
  if (known !== undefined) {
    const fd = attempt(() => openSync(known.realPath, OPEN_FLAGS));
    if (typeof fd === "number") {
      let info: Deno.FileInfo;
      try {
        info = fstatOf(fd);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
      if (info.isFile && sameInode(info, known.info)) {
        return new ConfinedFile(fd, known.realPath, info);
      }
      closeSync(fd);
    }
  }
  return attempt(() => {
    const fd = openSync(path, OPEN_FLAGS);
    let file: ConfinedFile | null = null;
    try {
      const checked = hasProcFd()
        ? checkDescriptor(root, fd)
        : checkPath(root, path, fileInfoOf(fstatSync(fd)));
      if (typeof checked === "string") return checked;
      // Now a directory: the file the caller expected is gone.
      if (checked.info.isDirectory) return "not-found";
      if (!checked.info.isFile) return "forbidden";
      file = new ConfinedFile(fd, checked.realPath, checked.info);
      return file;
    } finally {
      if (file === null) closeSync(fd);
    }
  });
}

/** Identity of a directory on a path: a rename changes its ctime. */
interface DirStamp {
  dev: number;
  ino: number | null;
  ctimeMs: number | null;
}

/** The stamps of `realPath` and each directory above it up to `root`. */
function dirStampsOf(root: string, realPath: string): DirStamp[] | null {
  const stamps: DirStamp[] = [];
  let path = realPath;
  for (;;) {
    const info = Deno.lstatSync(path);
    if (!info.isDirectory) return null;
    stamps.push({
      dev: info.dev,
      ino: info.ino,
      ctimeMs: info.ctime?.getTime() ?? null,
    });
    if (path.length <= root.length) return stamps;
    path = path.slice(0, path.lastIndexOf("/")) || "/";
  }
}

function sameStamps(a: readonly DirStamp[], b: DirStamp[] | null): boolean {
  if (b === null || a.length !== b.length) return false;
  return a.every((s, i) =>
    s.dev === b[i]!.dev && s.ino === b[i]!.ino && s.ctimeMs === b[i]!.ctimeMs
  );
}

/**
 * Runs `read` on the directory `path`, bound to a place inside `root`:
 * `read` gets a path that names exactly the checked directory for the
 * duration of the call (a descriptor link on Linux; entries are `dirPath +
 * "/" + name`), and the checked real path and `stat`. When `known` is
 * given and the directory is no longer that inode, the answer is
 * "not-found": the caller's view of it is stale.
 *
 * @throws errors other than missing paths and denied access, and whatever
 * `read` throws.
 */
export function readConfinedDirectory<T>(
  root: string,
  path: string,
  read: (dirPath: string, dir: ConfinedEntry) => T,
  known?: ConfinedEntry,
): T | ConfinementFailure {
  if (hasProcFd()) {
    const fd = attempt(() =>
      openSync(path, OPEN_FLAGS | constants.O_DIRECTORY)
    );
    if (typeof fd === "string") return fd;
    try {
      const checked = attempt(() => checkDescriptor(root, fd));
      if (typeof checked === "string") return checked;
      if (!checked.info.isDirectory) return "not-found";
      if (known !== undefined && !sameInode(checked.info, known.info)) {
        return "not-found";
      }
      return read(`/proc/self/fd/${fd}`, checked);
    } finally {
      closeSync(fd);
    }
  }
  for (let tries = 0; tries < 2; tries++) {
    const before = attempt(() => {
      const realPath = Deno.realPathSync(path);
      if (!isInside(root, realPath)) return "forbidden" as const;
      const stamps = dirStampsOf(root, realPath);
      if (stamps === null) return "not-found" as const;
      return { realPath, stamps, info: Deno.statSync(realPath) };
    });
    if (typeof before === "string") return before;
    if (known !== undefined && !sameInode(before.info, known.info)) {
      return "not-found";
    }
    const result = read(before.realPath, before);
    const after = attempt(() => ({
      realPath: Deno.realPathSync(path),
      stamps: dirStampsOf(root, before.realPath),
    }));
    if (
      typeof after !== "string" && after.realPath === before.realPath &&
      sameStamps(before.stamps, after.stamps)
    ) return result;
  }
  return "forbidden";
}
