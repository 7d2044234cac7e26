/**
 * Finding a directory's `index.html` without paying for a thrown NotFound
 * on every listing request (a failed `statSync` costs several times a
 * successful one in Deno). "No index" is remembered per directory version:
 * creating, removing or renaming `index.html` changes the directory's
 * mtime, so an unchanged directory cannot have gained one. A directory
 * changed within the last moments is always checked again, because a
 * second change in the same timestamp tick would leave its mtime as it was.
 *
 * @module
 */

/** How recently changed a directory must be to be checked every time. */
export const RACY_WINDOW_MS = 2000;
const MAX_REMEMBERED = 4096;

interface Absence {
  ino: number | null;
  mtimeMs: number;
}

/** Looks up `index.html` in directories, remembering where there is none. */
export class IndexFileLookup {
  #absent = new Map<string, Absence>();
  #now: () => number;

  /** `now` is the wall clock in ms (tests inject one). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * The `stat` of `dirPath/index.html` when it is a regular file, else
   * null. `dirInfo` is the directory's own `stat`, taken just before.
   */
  find(dirPath: string, dirInfo: Deno.FileInfo): Deno.FileInfo | null {
    const mtimeMs = dirInfo.mtime?.getTime() ?? null;
    const known = this.#absent.get(dirPath);
    if (
      known !== undefined && mtimeMs !== null && known.mtimeMs === mtimeMs &&
      known.ino === dirInfo.ino
    ) {
      return null;
    }
    let info: Deno.FileInfo | null = null;
    try {
      const found = Deno.statSync(`${dirPath}/index.html`);
      if (found.isFile) info = found;
    } catch {
      info = null;
    }
    if (info !== null) {
      this.#absent.delete(dirPath);
    } else if (
      mtimeMs !== null && this.#now() - mtimeMs >= RACY_WINDOW_MS
    ) {
      if (this.#absent.size >= MAX_REMEMBERED) this.#absent.clear();
      this.#absent.set(dirPath, { ino: dirInfo.ino, mtimeMs });
    }
    return info;
  }
}
