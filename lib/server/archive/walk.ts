/**
 * Walking a folder of the document root for an archive: each directory
 * is read through a handle checked to lie inside the root
 * (`readConfinedDirectory`) and each file opened the same way
 * (`openConfinedFile`), so a symlink leading outside, even one swapped in
 * during the walk, is never followed. Only regular files and directories
 * are taken (symlinks to them inside the root as what they lead to, each
 * directory once), as a listing shows them (`../core/directory_children.ts`),
 * less executable files: over HTTP those are only ever run, so their source
 * is never handed out. Names are sorted, so the same tree gives the same
 * archive.
 *
 * @module
 */

import {
  openConfinedFile,
  readConfinedDirectory,
} from "../core/confined_open.ts";
import {
  type DirectoryChild,
  readDirectoryChildren,
} from "../core/directory_children.ts";
import { isExecutable } from "../core/docroot.ts";
import { finiteTimeMs } from "../core/file_time.ts";
import type { ArchiveEntry } from "./entry.ts";

/** Options of {@linkcode walkFolder}. */
export interface WalkOptions {
  /** Real path of the document root. */
  root: string;
  /** Take names that start with a dot. */
  dotfiles: boolean;
}

const READ_SIZE = 64 * 1024;

/** The children of the directory `realPath` worth archiving, sorted. */
function childrenOf(realPath: string, options: WalkOptions): DirectoryChild[] {
  const read = readConfinedDirectory(
    options.root,
    realPath,
    (dirPath, dir) =>
      readDirectoryChildren(dirPath, dir.realPath, {
        ...options,
        // Over HTTP a script is only ever run: its source stays private.
        skipExecutables: true,
      }),
  );
  if (typeof read === "string") return [];
  return read.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The entries of the folder at `realPath` (checked inside the root),
 * under `prefix` in the archive, depth first: the folder itself, then
 * what it holds. A file's content is read while the consumer takes it,
 * and the file closed before the next entry.
 */
export async function* walkFolder(
  realPath: string,
  info: Deno.FileInfo,
  prefix: string,
  options: WalkOptions,
): AsyncGenerator<ArchiveEntry> {
  const seen = new Set<string>();
  const stack: { realPath: string; info: Deno.FileInfo; path: string }[] = [
    { realPath, info, path: prefix },
  ];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    // A symlink back up the tree would otherwise loop for ever.
    const id = `${dir.info.dev}:${dir.info.ino}`;
    if (seen.has(id)) continue;
    seen.add(id);
    yield {
      path: dir.path,
      kind: "directory",
      size: 0,
      mtimeMs: finiteTimeMs(dir.info.mtime) ?? 0,
      mode: (dir.info.mode ?? 0o755) & 0o777,
    };
    const subdirs: typeof stack = [];
    for (const child of childrenOf(dir.realPath, options)) {
      const path = `${dir.path}/${child.name}`;
      if (child.info.isDirectory) {
        subdirs.push({ realPath: child.realPath, info: child.info, path });
        continue;
      }
      const file = openConfinedFile(options.root, child.realPath);
      if (typeof file === "string") continue;
      // Made executable since the directory was read: left out all the same.
      if (isExecutable(file.info)) {
        file.close();
        continue;
      }
      try {
        const size = file.info.size;
        yield {
          path,
          kind: "file",
          size,
          mtimeMs: finiteTimeMs(file.info.mtime) ?? 0,
          mode: (file.info.mode ?? 0o644) & 0o777,
          content: async function* () {
            const buf = new Uint8Array(Math.min(READ_SIZE, Math.max(1, size)));
            let at = 0;
            while (at < size) {
              const n = await file.read(buf, at);
              if (n === 0) break;
              at += n;
              yield buf.subarray(0, Math.min(n, size - at + n));
            }
          },
        };
      } finally {
        file.close();
      }
    }
    // Reversed onto the stack, so folders come out in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}
