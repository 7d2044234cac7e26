/**
 * What an archive writer is given: one file or folder, named by its path
 * inside the archive, with its bytes read on demand.
 *
 * @module
 */

/** One member of an archive. */
export interface ArchiveEntry {
  /** `/`-separated path inside the archive, without a trailing `/`. */
  path: string;
  /** A regular file or a folder. */
  kind: "file" | "directory";
  /** Bytes of a file (its `content` yields exactly this many); 0 for a folder. */
  size: number;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
  /** Permission bits (`0o644`, `0o755`…). */
  mode: number;
  /** The file's bytes, piece by piece (each valid until the next). */
  content?: () => AsyncIterable<Uint8Array>;
}

/** A file changed while it was archived: the archive cannot be finished. */
export class ArchiveError extends Error {
  /** A stable identifier, e.g. `FILE_CHANGED`. */
  readonly code: string;

  /** Creates the error with its `code` and sentence-case `message`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "ArchiveError";
    this.code = code;
  }
}

/** Yields `entry`'s content, checked to be exactly `entry.size` bytes. */
export async function* exactContent(
  entry: ArchiveEntry,
): AsyncGenerator<Uint8Array> {
  if (entry.content === undefined) return;
  let seen = 0;
  for await (const piece of entry.content()) {
    seen += piece.length;
    if (seen > entry.size) break;
    yield piece;
  }
  if (seen !== entry.size) {
    throw new ArchiveError(
      "FILE_CHANGED",
      `File ${entry.path} changed size while it was archived`,
    );
  }
}
