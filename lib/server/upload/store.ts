/**
 * Writing one uploaded file into a folder of the document root so that
 * it appears whole or not at all: the bytes go to a hidden temporary file
 * made with `O_EXCL` in the same folder, which is then renamed (with
 * `--overwrite`) or hard-linked (without: the link fails if the name was
 * taken meanwhile, so nothing is ever replaced) to its name. Every step
 * goes through a handle of the folder checked to lie inside the root
 * (`readConfinedDirectory`), so a symlink swapped in cannot lead a write
 * outside, and the temporary file is opened with `O_NOFOLLOW`.
 *
 * @module
 */

import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  write as writeCallback,
} from "node:fs";
import {
  type ConfinedEntry,
  readConfinedDirectory,
} from "../core/confined_open.ts";
import { errorCodeOf } from "../core/fs_errors.ts";
import { TEMP_UPLOAD_PREFIX } from "../core/hidden_names.ts";

/** Why an upload could not be stored: its name is taken, or the folder is gone. */
export class UploadConflictError extends Error {
  /** `NAME_TAKEN` or `FOLDER_GONE`. */
  readonly code: "NAME_TAKEN" | "FOLDER_GONE";

  /** Creates the error with its `code` and sentence-case `message`. */
  constructor(code: "NAME_TAKEN" | "FOLDER_GONE", message: string) {
    super(message);
    this.name = "UploadConflictError";
    this.code = code;
  }
}

const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL |
  constants.O_NOFOLLOW;

/** Runs `fn` on a path naming exactly the checked folder `dir`. */
function inFolder<T>(
  root: string,
  dir: ConfinedEntry,
  fn: (dirPath: string) => T,
): T {
  const result = readConfinedDirectory(root, dir.realPath, fn, dir);
  if (result === "not-found" || result === "forbidden") {
    throw new UploadConflictError(
      "FOLDER_GONE",
      "Upload folder changed while the file was sent",
    );
  }
  return result;
}

/** True when `name` exists in the checked folder `dir` (any kind, links too). */
export function nameTaken(
  root: string,
  dir: ConfinedEntry,
  name: string,
): boolean {
  return inFolder(root, dir, (dirPath) => {
    try {
      lstatSync(`${dirPath}/${name}`);
      return true;
    } catch (err) {
      if (errorCodeOf(err) === "ENOENT") return false;
      throw err;
    }
  });
}

/** One upload on its way to disk: write it, then commit or discard it. */
export class UploadFile {
  #root: string;
  #dir: ConfinedEntry;
  #temp: string;
  #fd: number | null;
  #ino: number;
  #written = 0;
  #name: string | null = null;

  private constructor(
    root: string,
    dir: ConfinedEntry,
    temp: string,
    fd: number,
  ) {
    this.#root = root;
    this.#dir = dir;
    this.#temp = temp;
    this.#fd = fd;
    this.#ino = fstatSync(fd).ino;
  }

  /**
   * Creates the temporary file in the checked folder `dir` (a directory
   * verdict of the resolver) of the document root `root`.
   *
   * @throws {UploadConflictError} when the folder is no longer there.
   */
  static create(root: string, dir: ConfinedEntry): UploadFile {
    const temp = `${TEMP_UPLOAD_PREFIX}${crypto.randomUUID()}`;
    const fd = inFolder(
      root,
      dir,
      (dirPath) => openSync(`${dirPath}/${temp}`, TEMP_FLAGS, 0o644),
    );
    return new UploadFile(root, dir, temp, fd);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#written;
  }

  /** Appends `bytes` (copied out before it resolves). */
  async write(bytes: Uint8Array): Promise<void> {
    const fd = this.#fd;
    if (fd === null) throw new Deno.errors.BadResource("Upload is closed");
    let off = 0;
    while (off < bytes.length) {
      off += await new Promise<number>((resolve, reject) =>
        writeCallback(
          fd,
          bytes,
          off,
          bytes.length - off,
          null,
          (err, n) => err ? reject(err) : resolve(n),
        )
      );
    }
    this.#written += bytes.length;
  }

  /** Closes the temporary file: all its bytes are written. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    closeSync(fd);
  }

  /**
   * Gives the file its `name`: replacing what is there when `overwrite`,
   * else refusing a taken name. The temporary file is gone afterwards,
   * whatever happened.
   *
   * @throws {UploadConflictError} when the name is taken (or is a folder).
   */
  commit(name: string, overwrite: boolean): void {
    this.close();
    try {
      inFolder(this.#root, this.#dir, (dirPath) => {
        const temp = `${dirPath}/${this.#temp}`;
        const target = `${dirPath}/${name}`;
        try {
          if (overwrite) renameSync(temp, target);
          else linkSync(temp, target);
          this.#name = overwrite ? null : name;
        } catch (err) {
          const code = errorCodeOf(err);
          if (
            code === "EEXIST" || code === "EISDIR" || code === "ENOTEMPTY" ||
            code === "ENOTDIR"
          ) {
            throw new UploadConflictError(
              "NAME_TAKEN",
              `A file named ${JSON.stringify(name)} already exists`,
            );
          }
          throw err;
        }
      });
    } finally {
      this.discard();
    }
  }

  /**
   * Takes back the name a commit gave, when it still names this file (a
   * form whose later file failed). What `--overwrite` replaced is gone for
   * good, so the new file then stays.
   */
  withdraw(): void {
    const name = this.#name;
    if (name === null) return;
    this.#name = null;
    try {
      inFolder(this.#root, this.#dir, (dirPath) => {
        const target = `${dirPath}/${name}`;
        if (lstatSync(target).ino === this.#ino) unlinkSync(target);
      });
    } catch {
      // Gone or moved already: nothing of this upload is left to take back.
    }
  }

  /** Closes and removes the temporary file (a failed or cut upload). */
  discard(): void {
    this.close();
    try {
      inFolder(this.#root, this.#dir, (dirPath) => {
        try {
          unlinkSync(`${dirPath}/${this.#temp}`);
        } catch (err) {
          // Renamed away by a commit: nothing is left to remove.
          if (errorCodeOf(err) !== "ENOENT") throw err;
        }
      });
    } catch {
      // The folder moved away: the hidden file goes with it.
    }
  }
}
