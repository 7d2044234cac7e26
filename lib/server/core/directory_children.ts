/**
 * What a directory of the document root holds, as a visitor may see it:
 * regular files and directories, symlinks followed only when their target
 * lies inside the root (so nothing outside is ever described), hidden
 * names left out (see `hidden_names.ts`), and executables too when asked
 * (an archive must not hand out the source of what is only ever run).
 * Broken or looping links and special files (sockets, FIFOs, devices)
 * are left out, since the server would refuse them anyway. Listings and
 * archive walks both read directories through this.
 *
 * @module
 */

import { isInside } from "./confined_open.ts";
import { isExecutable } from "./docroot.ts";
import { isHiddenName } from "./hidden_names.ts";

/** One entry of a directory, checked to be worth showing. */
export interface DirectoryChild {
  /** The file name as the file system gave it. */
  name: string;
  /** Its real path (a symlink's target), inside the root. */
  realPath: string;
  /** Its `stat` (through a symlink): a regular file or a directory. */
  info: Deno.FileInfo;
}

/** Options of {@linkcode readDirectoryChildren}. */
export interface DirectoryChildrenOptions {
  /** Real path of the document root; symlinks must resolve inside it. */
  root: string;
  /** Keep names that start with a dot (`--dotfiles`). */
  dotfiles: boolean;
  /** Leave out regular files with an execute bit (default: keep them). */
  skipExecutables?: boolean;
}

function followInside(path: string, root: string): {
  realPath: string;
  info: Deno.FileInfo;
} | null {
  try {
    const realPath = Deno.realPathSync(path);
    if (!isInside(root, realPath)) return null;
    return { realPath, info: Deno.statSync(realPath) };
  } catch {
    // Broken or looping link, or a target we may not read.
    return null;
  }
}

/**
 * The children of the directory at `dirPath` (a path naming it, such as
 * the one `readConfinedDirectory` hands out), whose real path is
 * `dirRealPath`, in file-system order. An entry that vanishes or cannot
 * be statted between the read and the stat is skipped, so one bad entry
 * never fails the whole read.
 *
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} when the
 * directory itself cannot be read.
 */
export function readDirectoryChildren(
  dirPath: string,
  dirRealPath: string,
  options: DirectoryChildrenOptions,
): DirectoryChild[] {
  const base = dirPath.endsWith("/") ? dirPath : `${dirPath}/`;
  const realBase = dirRealPath.endsWith("/") ? dirRealPath : `${dirRealPath}/`;
  const out: DirectoryChild[] = [];
  for (const dirent of Deno.readDirSync(dirPath)) {
    const name = dirent.name;
    if (isHiddenName(name, options.dotfiles)) continue;
    let child: { realPath: string; info: Deno.FileInfo } | null;
    if (dirent.isSymlink) {
      child = followInside(base + name, options.root);
    } else {
      try {
        child = {
          realPath: realBase + name,
          info: Deno.lstatSync(base + name),
        };
      } catch {
        child = null;
      }
    }
    if (child === null) continue;
    const { info } = child;
    if (info.isDirectory) out.push({ name, ...child });
    else if (
      info.isFile && !(options.skipExecutables && isExecutable(info))
    ) out.push({ name, ...child });
  }
  return out;
}
