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

import { BufferPool } from "./buffer_pool.ts";
import { evaluatePreconditions, ifRangeHolds } from "../../http/conditional.ts";
import { sendErrorPage } from "../core/error_page.ts";
import { FileCache, stampOf } from "./file_cache.ts";
import {
  describeFile,
  type FileRepresentation,
  type Span,
  withBody,
} from "./file_representation.ts";
import { contentRangeOf, parseRange, unsatisfiedRangeOf } from "./range.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";

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
  #cache: FileCache<FileRepresentation>;
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
   * file is closed and the buffers are returned first.
   */
  async serve(
    req: HttpRequest,
    res: ResponseWriter,
    file: StaticFile,
  ): Promise<void> {
    const rep = this.#representationOf(file);
    const outcome = evaluatePreconditions(req.headers, rep);
    if (outcome === "not-modified") {
      await res.sendPrepared(rep.notModified);
      return;
    }
    if (outcome === "failed") {
      await sendErrorPage(res, 412);
      return;
    }
    const span = spanOf(req, rep);
    if (span === null) {
      await sendErrorPage(res, 416, {
        headers: [["Content-Range", unsatisfiedRangeOf(rep.size)]],
      });
      return;
    }
    if (span === rep.whole && rep.prepared !== null) {
      await res.sendPrepared(rep.prepared);
      return;
    }
    if (req.method === "HEAD") {
      await res.start(span.status, span.headers, span.length);
      await res.end();
      return;
    }
    if (rep.body !== null) {
      await res.send(span.status, span.headers, sliceOf(rep.body, span));
      return;
    }
    await this.#sendFromDisk(req, res, file.fsPath, rep, span);
  }

  /** The cached description of `file`, or a new one (cached if stable). */
  #representationOf(file: StaticFile): FileRepresentation {
    const cached = this.#cache.get(file.fsPath, file.info);
    if (cached !== undefined) return cached;
    const rep = describeFile(
      file.fsPath,
      stampOf(file.info),
      Date.now(),
      this.#options.racyWindowMs,
    );
    if (rep.stable) this.#cache.set(file.fsPath, rep);
    return rep;
  }

  /**
   * Opens the file and sends `span` of it: a small stable file is read
   * whole into the cache first, anything else goes through the buffers.
   */
  async #sendFromDisk(
    req: HttpRequest,
    res: ResponseWriter,
    fsPath: string,
    rep: FileRepresentation,
    span: Span,
  ): Promise<void> {
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
        const full = withBody(rep, body);
        this.#cache.set(fsPath, full);
        if (span === rep.whole) await res.sendPrepared(full.prepared!);
        else await res.send(span.status, span.headers, sliceOf(body, span));
        return;
      }
      if (span.start > 0) fh.seekSync(span.start, Deno.SeekMode.Start);
      await this.#sendFromFile(res, fh, fsPath, span);
    } finally {
      fh.close();
    }
  }

  /** Sends `span.length` bytes from the current position of `fh`. */
  async #sendFromFile(
    res: ResponseWriter,
    fh: Deno.FsFile,
    fsPath: string,
    span: Span,
  ): Promise<void> {
    const { status, headers, length } = span;
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

/**
 * The span a request asks for: the whole file, or a single range of it on
 * a GET whose `If-Range` holds; null when the range is unsatisfiable.
 * Other methods (HEAD) ignore `Range`, as RFC 9110 section 14.2 says.
 */
function spanOf(req: HttpRequest, rep: FileRepresentation): Span | null {
  const whole = rep.whole;
  if (req.method !== "GET") return whole;
  const value = req.headers.get("range");
  if (value === undefined) return whole;
  if (!ifRangeHolds(req.headers.get("if-range"), rep)) return whole;
  const range = parseRange(value, rep.size);
  if (range.kind === "whole") return whole;
  if (range.kind === "unsatisfiable") return null;
  return {
    status: 206,
    headers: [
      ...rep.headers,
      ["Content-Range", contentRangeOf(range.start, range.end, rep.size)],
    ],
    start: range.start,
    length: range.end - range.start + 1,
  };
}

function sliceOf(body: Uint8Array, span: Span): Uint8Array {
  return span.start === 0 && span.length === body.length
    ? body
    : body.subarray(span.start, span.start + span.length);
}

function roomIn(buffer: Uint8Array, left: number): Uint8Array {
  return left < buffer.length ? buffer.subarray(0, left) : buffer;
}
