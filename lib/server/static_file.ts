/**
 * Static files: validators (`ETag`, `Last-Modified`), conditional requests,
 * single byte ranges, a cache of small files and of every file's ready-made
 * headers that is checked against each request's fresh `stat`, and
 * streaming of files of any size with back-pressure in constant memory.
 *
 * A response whose body fits one buffer goes out as one write of head and
 * body, so it never waits on Nagle's algorithm and costs one syscall.
 *
 * @module
 */

import { formatHttpDate } from "../http/date.ts";
import type { HeaderList } from "../http/header_fields.ts";
import { contentTypeOf } from "../http/media_types.ts";
import { BufferPool } from "./buffer_pool.ts";
import {
  evaluatePreconditions,
  ifRangeHolds,
  makeEntityTag,
  type Validators,
} from "./conditional.ts";
import { sendErrorPage } from "./error_page.ts";
import {
  type CacheableEntry,
  FileCache,
  type FileStamp,
  stampOf,
} from "./file_cache.ts";
import { contentRangeOf, parseRange, unsatisfiedRangeOf } from "./range.ts";
import type { HttpRequest } from "./request.ts";
import type { ResponseWriter } from "./response_writer.ts";

/** A regular file found in the document root. */
export interface StaticFile {
  /** Its path on disk. */
  fsPath: string;
  /** Its `stat` (symlinks followed), taken during resolution. */
  info: Deno.FileInfo;
}

/** Tuning of a {@linkcode StaticFileServer}; every field has a default. */
export interface StaticFileOptions {
  /** Largest file whose contents are cached, in bytes. */
  cacheMaxFileBytes?: number;
  /** Most bytes the cache holds (contents plus a small charge per file). */
  cacheMaxBytes?: number;
  /** Most files the cache describes. */
  cacheMaxEntries?: number;
  /**
   * Size of the pooled read buffers; bodies up to this size are sent in
   * one write with their head, larger ones are streamed in such chunks.
   */
  chunkBytes?: number;
  /** Read buffers kept for reuse between requests. */
  pooledBuffers?: number;
  /**
   * A file changed less than this many ms ago is "racy": another write in
   * the same timestamp tick would leave its `stat` unchanged, so it is
   * neither cached nor given a strong validator.
   */
  racyWindowMs?: number;
}

/** The defaults of {@linkcode StaticFileOptions}. */
export const DEFAULT_STATIC_FILE_OPTIONS: Readonly<
  Required<StaticFileOptions>
> = Object.freeze({
  cacheMaxFileBytes: 64 * 1024,
  cacheMaxBytes: 32 * 1024 * 1024,
  cacheMaxEntries: 16_384,
  chunkBytes: 128 * 1024,
  pooledBuffers: 16,
  racyWindowMs: 2000,
});

/**
 * A file became shorter than its `stat` said while it was being read, so
 * the promised length cannot be delivered. Thrown after the head was sent,
 * it makes the connection close, which tells the client the body is cut.
 */
export class FileChangedError extends Error {
  /** Always `"FILE_CHANGED"`. */
  readonly code = "FILE_CHANGED";

  /** Creates the error for the file at `fsPath`. */
  constructor(fsPath: string) {
    super(`File ${fsPath} got shorter while being sent`);
    this.name = "FileChangedError";
  }
}

/** Per-file charge against the cache budget for headers and bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 512;

/** One version of a file, with everything its responses need. */
interface Representation extends CacheableEntry, Validators {
  readonly size: number;
  /** Headers of a 200 or 206 (the writer adds `Content-Length`). */
  readonly headers: HeaderList;
  /** Headers of a 304. */
  readonly notModifiedHeaders: HeaderList;
  /** The contents, once read, for a small file that may be cached. */
  readonly body: Uint8Array | null;
  /** False for a racy file, which is described afresh on every request. */
  readonly stable: boolean;
}

/**
 * True when a file changed too recently for its `stat` to tell a later
 * write apart. Deno reports ctime in whole seconds, so up to a second of
 * it is unknown and the window is widened by that much for it.
 */
function isRacy(stamp: FileStamp, nowMs: number, windowMs: number): boolean {
  if (windowMs <= 0) return false;
  return nowMs - stamp.mtimeMs < windowMs ||
    nowMs - stamp.ctimeMs < windowMs + 1000;
}

function describe(
  fsPath: string,
  stamp: FileStamp,
  nowMs: number,
  racyWindowMs: number,
): Representation {
  const stable = !isRacy(stamp, nowMs, racyWindowMs);
  const etag = makeEntityTag(stamp, !stable);
  // Never later than the Date header it goes out with (RFC 9110 section
  // 8.8.2.1); a time before the epoch is treated as unknown.
  const lastModifiedMs = stamp.mtimeMs < 0
    ? null
    : Math.floor(Math.min(stamp.mtimeMs, nowMs) / 1000) * 1000;
  const headers: HeaderList = [["Content-Type", contentTypeOf(fsPath)]];
  const notModifiedHeaders: HeaderList = [];
  if (lastModifiedMs !== null) {
    const value = formatHttpDate(lastModifiedMs);
    headers.push(["Last-Modified", value]);
    notModifiedHeaders.push(["Last-Modified", value]);
  }
  headers.push(["ETag", etag], ["Accept-Ranges", "bytes"]);
  notModifiedHeaders.push(["ETag", etag]);
  return {
    stamp,
    cost: ENTRY_OVERHEAD_BYTES + 2 * fsPath.length,
    size: stamp.size,
    etag,
    lastModifiedMs,
    headers,
    notModifiedHeaders,
    body: null,
    stable,
  };
}

/** The error page for a file that cannot be opened, or null to rethrow. */
function openFailureStatus(err: unknown): 403 | 404 | null {
  if (
    err instanceof Deno.errors.PermissionDenied ||
    err instanceof Deno.errors.NotCapable
  ) return 403;
  if (
    err instanceof Deno.errors.NotFound ||
    err instanceof Deno.errors.NotADirectory ||
    err instanceof Deno.errors.IsADirectory
  ) return 404;
  return null;
}

/** Reads until `target` is full or the file ends; returns the count. */
function readFullySync(file: Deno.FsFile, target: Uint8Array): number {
  let filled = 0;
  while (filled < target.length) {
    const n = file.readSync(target.subarray(filled));
    if (n === null || n === 0) break;
    filled += n;
  }
  return filled;
}

/** Serves static files for one server, with its cache and buffer pool. */
export class StaticFileServer {
  #options: Readonly<Required<StaticFileOptions>>;
  #cache: FileCache<Representation>;
  #pool: BufferPool;

  /** Creates a server with `options` over the defaults. */
  constructor(options: StaticFileOptions = {}) {
    this.#options = { ...DEFAULT_STATIC_FILE_OPTIONS, ...options };
    this.#cache = new FileCache({
      maxBytes: this.#options.cacheMaxBytes,
      maxEntries: this.#options.cacheMaxEntries,
    });
    this.#pool = new BufferPool(
      Math.max(1, this.#options.chunkBytes),
      this.#options.pooledBuffers,
    );
  }

  /** Files described by the cache (for tests and diagnostics). */
  get cachedFiles(): number {
    return this.#cache.size;
  }

  /**
   * Answers a GET or HEAD for `file`: 304 or 412 by the preconditions,
   * 206 or 416 for a single range on a GET, else 200; 403 or 404 when the
   * file cannot be opened after all. A HEAD never opens the file.
   *
   * @throws {FileChangedError} when the file shrinks while being read.
   * @throws socket errors when the client goes away mid-transfer; the
   * file is closed and the buffer returned first.
   */
  async serve(
    req: HttpRequest,
    res: ResponseWriter,
    file: StaticFile,
  ): Promise<void> {
    const { fsPath, info } = file;
    let rep = this.#cache.get(fsPath, info);
    if (rep === undefined) {
      rep = describe(
        fsPath,
        stampOf(info),
        Date.now(),
        this.#options.racyWindowMs,
      );
      if (rep.stable) this.#cache.set(fsPath, rep);
    }

    const outcome = evaluatePreconditions(req.headers, rep);
    if (outcome === "not-modified") {
      await res.send(304, rep.notModifiedHeaders);
      return;
    }
    if (outcome === "failed") {
      await sendErrorPage(res, 412);
      return;
    }

    let status = 200;
    let headers = rep.headers;
    let start = 0;
    let length = rep.size;
    const rangeValue = req.method === "GET"
      ? req.headers.get("range")
      : undefined;
    if (
      rangeValue !== undefined &&
      ifRangeHolds(req.headers.get("if-range"), rep)
    ) {
      const range = parseRange(rangeValue, rep.size);
      if (range.kind === "unsatisfiable") {
        await sendErrorPage(res, 416, {
          headers: [["Content-Range", unsatisfiedRangeOf(rep.size)]],
        });
        return;
      }
      if (range.kind === "partial") {
        status = 206;
        start = range.start;
        length = range.end - range.start + 1;
        headers = [
          ...rep.headers,
          ["Content-Range", contentRangeOf(range.start, range.end, rep.size)],
        ];
      }
    }

    if (req.method === "HEAD") {
      await res.start(status, headers, length);
      await res.end();
      return;
    }
    if (rep.body !== null) {
      await res.send(status, headers, sliceOf(rep.body, start, length));
      return;
    }

    let fh: Deno.FsFile;
    try {
      fh = Deno.openSync(fsPath, { read: true });
    } catch (err) {
      const failure = openFailureStatus(err);
      if (failure === null) throw err;
      this.#cache.delete(fsPath);
      await sendErrorPage(res, failure, { detail: req.path });
      return;
    }
    try {
      if (rep.stable && rep.size <= this.#options.cacheMaxFileBytes) {
        const body = new Uint8Array(rep.size);
        if (readFullySync(fh, body) < body.length) {
          throw new FileChangedError(fsPath);
        }
        this.#cache.set(fsPath, { ...rep, body, cost: rep.cost + body.length });
        await res.send(status, headers, sliceOf(body, start, length));
        return;
      }
      if (start > 0) fh.seekSync(start, Deno.SeekMode.Start);
      await this.#sendFromFile(res, fh, fsPath, status, headers, length);
    } finally {
      fh.close();
    }
  }

  /** Sends `length` bytes from the current position of `fh`. */
  async #sendFromFile(
    res: ResponseWriter,
    fh: Deno.FsFile,
    fsPath: string,
    status: number,
    headers: HeaderList,
    length: number,
  ): Promise<void> {
    const buffers = [this.#pool.acquire()];
    let pendingRead: Promise<number | null> | null = null;
    try {
      const first = buffers[0]!;
      if (length <= first.length) {
        const body = first.subarray(0, length);
        if (readFullySync(fh, body) < length) {
          throw new FileChangedError(fsPath);
        }
        await res.send(status, headers, body);
        return;
      }
      // Two buffers: the next chunk is read while the last one is being
      // written, so disk and socket work overlap. Each write is awaited
      // before its buffer is refilled: the socket accepting the bytes is
      // the back-pressure, and no buffer changes under a pending write.
      buffers.push(this.#pool.acquire());
      await res.start(status, headers, length);
      let left = length;
      let current = 0;
      pendingRead = fh.read(roomIn(first, left));
      while (left > 0) {
        const n: number | null = await pendingRead;
        pendingRead = null;
        if (n === null || n === 0) throw new FileChangedError(fsPath);
        left -= n;
        const filled = buffers[current]!;
        current ^= 1;
        if (left > 0) pendingRead = fh.read(roomIn(buffers[current]!, left));
        await res.write(filled.subarray(0, n));
      }
      await res.end();
    } finally {
      // A read still running targets a pooled buffer and the file about to
      // be closed: let it settle first (its outcome no longer matters).
      if (pendingRead !== null) await pendingRead.catch(() => null);
      for (const b of buffers) this.#pool.release(b);
    }
  }
}

function sliceOf(body: Uint8Array, start: number, length: number): Uint8Array {
  return start === 0 && length === body.length
    ? body
    : body.subarray(start, start + length);
}

function roomIn(buffer: Uint8Array, left: number): Uint8Array {
  return left < buffer.length ? buffer.subarray(0, left) : buffer;
}
