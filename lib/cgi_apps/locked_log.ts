/**
 * An append-only file of JSON lines shared by concurrent CGI processes.
 *
 * Writers append one whole line while holding an exclusive `flock` on the
 * file, so two processes never interleave or lose an entry whatever the
 * size of the line; readers hold a shared lock, so they never see half a
 * line. (A single `O_APPEND` write below PIPE_BUF is not enough on its own:
 * POSIX promises that atomicity for pipes, not files, and a write may be
 * cut short, e.g. by a signal or a full disk.) Appending never replaces
 * the file, so the lock is always taken on the file every process uses.
 *
 * A crash can still leave a torn last line. The next writer ends it with a
 * line feed before its own line, so the damage stays in that one line, and
 * readers skip any line that does not parse and say so on stderr.
 *
 * Locks are advisory and work on local filesystems; the file survives
 * restarts, but is not fsynced per entry (a power cut may lose the last
 * few).
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

/** True when the file is empty or its last byte is a line feed. */
function endsWithLineFeed(file: Deno.FsFile): boolean {
  // Seeking finds the size: FsFile.statSync() would check --allow-read
  // against the file's real path, which a symlinked data folder changes.
  const size = file.seekSync(0, Deno.SeekMode.End);
  if (size === 0) return true;
  file.seekSync(size - 1, Deno.SeekMode.Start);
  const last = new Uint8Array(1);
  return file.readSync(last) === 1 && last[0] === 10;
}

/**
 * Appends `record` as one JSON line to the file at `path`, creating it
 * (mode 0600) when missing.
 */
export function appendJsonLine(path: string, record: unknown): void {
  // JSON.stringify escapes every line feed, so the record is one line.
  const line = JSON.stringify(record);
  const file = Deno.openSync(path, {
    read: true,
    append: true,
    create: true,
    mode: 0o600,
  });
  try {
    file.lockSync(true);
    const text = endsWithLineFeed(file) ? `${line}\n` : `\n${line}\n`;
    writeAll(file, encoder.encode(text));
  } finally {
    // Closing the file releases the lock.
    file.close();
  }
}

function readLocked(path: string): string | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  try {
    file.lockSync(false);
    // Sized by seeking, not statSync (see endsWithLineFeed); the spare
    // byte lets the read that meets the end happen without growing it.
    let bytes = new Uint8Array(file.seekSync(0, Deno.SeekMode.End) + 1);
    file.seekSync(0, Deno.SeekMode.Start);
    let got = 0;
    for (;;) {
      if (got === bytes.length) {
        const bigger = new Uint8Array(bytes.length * 2);
        bigger.set(bytes);
        bytes = bigger;
      }
      const n = file.readSync(bytes.subarray(got));
      if (n === null) break;
      got += n;
    }
    return decoder.decode(bytes.subarray(0, got));
  } finally {
    file.close();
  }
}

/**
 * Reads every record of the file at `path` (none when it does not exist)
 * in the order they were appended. `accept` turns a parsed line into a
 * record, or null when it is not one; such lines, lines that are not
 * JSON and a torn last line are skipped and counted in one stderr line.
 */
export function readJsonLines<T>(
  path: string,
  accept: (value: unknown) => T | null,
): T[] {
  const text = readLocked(path);
  if (text === null || text === "") return [];
  const lines = text.split("\n");
  // Text after the last line feed is a line a writer never finished.
  const torn = lines.pop() !== "";
  const records: T[] = [];
  let skipped = 0;
  let firstBad = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    let record: T | null = null;
    try {
      record = accept(JSON.parse(line));
    } catch {
      // Not JSON: counted below.
    }
    if (record === null) {
      skipped++;
      if (firstBad === 0) firstBad = i + 1;
    } else records.push(record);
  }
  if (torn) {
    skipped++;
    if (firstBad === 0) firstBad = lines.length + 1;
  }
  if (skipped > 0) {
    console.error(
      `${path}: skipped ${skipped} unreadable line${
        skipped === 1 ? "" : "s"
      } (the first is line ${firstBad})`,
    );
  }
  return records;
}
