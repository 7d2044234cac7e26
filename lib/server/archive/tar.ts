/**
 * A streaming tar writer (POSIX ustar, with pax extended headers for
 * paths that do not fit and sizes of 8 GiB and more): 512-byte headers
 * and padded contents, produced as they are read, so an archive of any
 * size costs constant memory. Gzip it with `CompressionStream("gzip")`.
 *
 * @module
 */

import { type ArchiveEntry, exactContent } from "./entry.ts";

const BLOCK = 512;
const encoder = new TextEncoder();
// The ustar size field holds 11 octal digits.
const MAX_USTAR_SIZE = 8 ** 11;

/** Writes `text` (ASCII) into `block` at `offset`. */
function put(block: Uint8Array, offset: number, bytes: Uint8Array): void {
  block.set(bytes, offset);
}

/** A number as a NUL-terminated octal field of `width` bytes. */
function octal(n: number, width: number): Uint8Array {
  return encoder.encode(
    Math.max(0, Math.floor(n)).toString(8).padStart(width - 1, "0") + "\0",
  );
}

/**
 * Splits `path` into ustar's prefix (≤ 155 bytes) and name (≤ 100
 * bytes) at a `/`, or null when it cannot be.
 */
function splitUstar(path: Uint8Array): [Uint8Array, Uint8Array] | null {
  if (path.length <= 100) return [new Uint8Array(0), path];
  for (let i = Math.min(155, path.length - 1); i > 0; i--) {
    if (path[i] === 47 /* / */ && path.length - i - 1 <= 100) {
      return [path.subarray(0, i), path.subarray(i + 1)];
    }
  }
  return null;
}

/** One 512-byte header block. */
function headerBlock(
  name: Uint8Array,
  prefix: Uint8Array,
  type: string,
  size: number,
  mtimeMs: number,
  mode: number,
): Uint8Array {
  const block = new Uint8Array(BLOCK);
  put(block, 0, name);
  put(block, 100, octal(mode & 0o7777, 8));
  put(block, 108, octal(0, 8));
  put(block, 116, octal(0, 8));
  put(block, 124, octal(size, 12));
  put(block, 136, octal(mtimeMs / 1000, 12));
  put(block, 148, encoder.encode("        "));
  put(block, 156, encoder.encode(type));
  put(block, 257, encoder.encode("ustar\u000000"));
  put(block, 345, prefix);
  let sum = 0;
  for (const b of block) sum += b;
  put(block, 148, encoder.encode(sum.toString(8).padStart(6, "0") + "\0 "));
  return block;
}

/** One pax record: `LEN key=value\n`, LEN counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let len = bodyLength + 1;
  while (String(len).length + bodyLength !== len) len++;
  return `${len}${body}`;
}

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - size % BLOCK) % BLOCK);
}

/** The header block(s) of `entry`: a pax header first when needed. */
export function tarHeader(entry: ArchiveEntry): Uint8Array {
  const dir = entry.kind === "directory";
  const path = encoder.encode(dir ? `${entry.path}/` : entry.path);
  const split = splitUstar(path);
  const size = dir ? 0 : entry.size;
  let pax = "";
  if (split === null) {
    pax += paxRecord("path", dir ? `${entry.path}/` : entry.path);
  }
  if (size >= MAX_USTAR_SIZE) pax += paxRecord("size", String(size));
  const [prefix, name] = split ?? [new Uint8Array(0), path.subarray(0, 100)];
  const main = headerBlock(
    name,
    prefix,
    dir ? "5" : "0",
    size >= MAX_USTAR_SIZE ? 0 : size,
    entry.mtimeMs,
    entry.mode,
  );
  if (pax === "") return main;
  const records = encoder.encode(pax);
  const paxName = encoder.encode("PaxHeader");
  const out = new Uint8Array(
    2 * BLOCK + records.length + tarPadding(records.length).length,
  );
  out.set(
    headerBlock(
      paxName,
      new Uint8Array(0),
      "x",
      records.length,
      entry.mtimeMs,
      0o644,
    ),
  );
  out.set(records, BLOCK);
  out.set(main, out.length - BLOCK);
  return out;
}

/** The two zero blocks that end an archive. */
export const TAR_END: Uint8Array = new Uint8Array(2 * BLOCK);

/** The tar archive of `entries`, piece by piece. */
export async function* tarStream(
  entries: AsyncIterable<ArchiveEntry>,
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    yield tarHeader(entry);
    if (entry.kind !== "file") continue;
    yield* exactContent(entry);
    const pad = tarPadding(entry.size);
    if (pad.length > 0) yield pad;
  }
  yield TAR_END;
}
