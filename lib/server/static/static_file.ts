/**
 * Static files: validators (`ETag`, `Last-Modified`), conditional requests,
 * single byte ranges, a cache of small files and of every file's ready-made
 * headers, and streaming of files of any size with back-pressure in
 * bounded memory.
 *
 * - The cache is checked against the `stat` the caller resolved the file
 *   with (kept by the docroot resolver until the file system reports a
 *   change), so a cached hit makes no file-system call; a `watch` also
 *   drops the entries of changed paths so they do not wait for eviction.
 * - A file is read through a handle bound inside the document root
 *   (`../core/confined_open.ts`): when the resolver's identity still holds,
 *   an open and a `stat` are all it costs; a file that changed since is
 *   answered as it is now.
 * - A response whose body fits one buffer goes out as one write of head
 *   and body, so it never waits on Nagle's algorithm and costs one
 *   syscall. Larger ones stream in pieces sized to the file (up to 1 MiB)
 *   from a pool bounded in total memory.
 *
 * @module
 */

import { BufferPool } from "./buffer_pool.ts";
import { evaluatePreconditions, ifRangeHolds } from "../../http/conditional.ts";
import { type ConfinedFile, openConfinedFile } from "../core/confined_open.ts";
import { sendErrorPage } from "../core/error_page.ts";
import type { FsWatch } from "../core/fs_watch.ts";
import { FileCache, stampMatches, stampOf } from "./file_cache.ts";
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
  /** Its path as the URL named it; its name gives the media type. */
  fsPath: string;
  /** Its checked real path (default: `fsPath`). */
  realPath?: string;
  /** Its `stat` (symlinks followed), as checked during resolution. */
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
   * Largest read buffer: bodies up to this size are sent in one write
   * with their head, larger ones are streamed in pieces of this size.
   */
  chunkBytes?: number;
  /** Read buffers kept for reuse between requests. */
  pooledBuffers?: number;
  /** Most bytes in read buffers at once, across all requests. */
  bufferBudgetBytes?: number;
  /**
   * A file changed less than this many ms ago is "racy": another write in
   * the same timestamp tick would leave its `stat` unchanged, so it is
   * neither cached nor given a strong validator.
   */
  racyWindowMs?: number;
  /** Real path of the document root; files are opened bound inside it. */
  root?: string;
}

/** The defaults of {@linkcode StaticFileOptions}. */
export const DEFAULT_STATIC_FILE_OPTIONS: Readonly<
  Required<StaticFileOptions>
> = Object.freeze({
  cacheMaxFileBytes: 64 * 1024,
  cacheMaxBytes: 32 * 1024 * 1024,
  cacheMaxEntries: 16_384,
  chunkBytes: 1024 * 1024,
  pooledBuffers: 16,
  bufferBudgetBytes: 32 * 1024 * 1024,
  racyWindowMs: 2000,
  root: "/",
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

/** Reads from `position` until `target` is full or the file ends. */
function readFullySync(
  file: ConfinedFile,
  target: Uint8Array,
  position: number,
): number {
  let filled = 0;
  while (filled < target.length) {
    const n = file.readSync(target.subarray(filled), position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}

/** What to answer once validators and range are weighed. */
type Decision =
  | { kind: "done" }
  | { kind: "disk"; span: Span };

/** Serves static files for one server, with its cache and buffer pool. */
export class StaticFileServer {
  #options: Readonly<Required<StaticFileOptions>>;
  #cache: FileCache<FileRepresentation>;
  #pool: BufferPool;

  /**
   * Creates a server with `options` over the defaults; `watch` (of
   * `options.root`) lets it drop what changed at once.
   */
  constructor(options: StaticFileOptions = {}, watch?: FsWatch) {
    this.#options = { ...DEFAULT_STATIC_FILE_OPTIONS, ...options };
    this.#cache = new FileCache({
      maxBytes: this.#options.cacheMaxBytes,
      maxEntries: this.#options.cacheMaxEntries,
    });
    this.#pool = new BufferPool({
      maxPieceBytes: this.#options.chunkBytes,
      maxIdle: this.#options.pooledBuffers,
      budgetBytes: this.#options.bufferBudgetBytes,
    });
    // Correctness comes from the stamps; this only frees memory early.
    watch?.onChange((paths) => {
      for (const p of paths) this.#cache.delete(p);
    });
  }

  /** Files described by the cache (for tests and diagnostics). */
  get cachedFiles(): number {
    return this.#cache.size;
  }

  /**
   * Answers a GET or HEAD for `file`: 304 or 412 by the preconditions,
   * 206 or 416 for a single range on a GET, else 200; 403 or 404 when the
   * file cannot be opened after all. A HEAD never opens the file, and
   * neither does a cached small file.
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
    let rep = this.#representationOf(file);
    let decision = await this.#answerFromMemory(req, res, rep);
    if (decision.kind === "done") return;
    const opened = openConfinedFile(this.#options.root, file.fsPath, {
      realPath: file.realPath ?? file.fsPath,
      info: file.info,
    });
    if (typeof opened === "string") {
      this.#cache.delete(file.fsPath);
      await sendErrorPage(res, opened === "forbidden" ? 403 : 404, {
        detail: req.path,
      });
      return;
    }
    try {
      if (!stampMatches(rep.stamp, opened.info)) {
        // Changed since it was resolved (its event is on the way): answer
        // for the version that is open, and cache nothing of it yet.
        this.#cache.delete(file.fsPath);
        rep = describeFile(
          file.fsPath,
          stampOf(opened.info),
          Date.now(),
          this.#options.racyWindowMs,
        );
        decision = await this.#answerFromMemory(req, res, rep);
        if (decision.kind === "done") return;
        await this.#sendFromFile(res, opened, file.fsPath, decision.span);
        return;
      }
      await this.#sendFromDisk(res, opened, file.fsPath, rep, decision.span);
    } finally {
      opened.close();
    }
  }

  /**
   * Answers what needs no file contents read now: 304, 412, 416, a cached
   * body, a HEAD. Otherwise says which span to send from disk.
   */
  async #answerFromMemory(
    req: HttpRequest,
    res: ResponseWriter,
    rep: FileRepresentation,
  ): Promise<Decision> {
    const outcome = evaluatePreconditions(req.headers, rep);
    if (outcome === "not-modified") {
      await res.sendPrepared(rep.notModified);
      return { kind: "done" };
    }
    if (outcome === "failed") {
      await sendErrorPage(res, 412);
      return { kind: "done" };
    }
    const span = spanOf(req, rep);
    if (span === null) {
      await sendErrorPage(res, 416, {
        headers: [["Content-Range", unsatisfiedRangeOf(rep.size)]],
      });
      return { kind: "done" };
    }
    if (span === rep.whole && rep.prepared !== null) {
      await res.sendPrepared(rep.prepared);
      return { kind: "done" };
    }
    if (req.method === "HEAD") {
      await res.start(span.status, span.headers, span.length);
      await res.end();
      return { kind: "done" };
    }
    if (rep.body !== null) {
      await res.send(span.status, span.headers, sliceOf(rep.body, span));
      return { kind: "done" };
    }
    return { kind: "disk", span };
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
   * Sends `span` of the open file: a small stable file is read whole into
   * the cache first, anything else goes through the buffers.
   */
  async #sendFromDisk(
    res: ResponseWriter,
    file: ConfinedFile,
    fsPath: string,
    rep: FileRepresentation,
    span: Span,
  ): Promise<void> {
    if (rep.stable && rep.size <= this.#options.cacheMaxFileBytes) {
      const body = new Uint8Array(rep.size);
      if (readFullySync(file, body, 0) < body.length) {
        throw new FileChangedError(fsPath);
      }
      const full = withBody(rep, body);
      this.#cache.set(fsPath, full);
      if (span === rep.whole) await res.sendPrepared(full.prepared!);
      else await res.send(span.status, span.headers, sliceOf(body, span));
      return;
    }
    await this.#sendFromFile(res, file, fsPath, span);
  }

  /** Sends `span` of `file` through pooled buffers. */
  async #sendFromFile(
    res: ResponseWriter,
    file: ConfinedFile,
    fsPath: string,
    span: Span,
  ): Promise<void> {
    const { status, headers, length } = span;
    // Waits, holding nothing, when the memory budget is spent.
    const buffers = [await this.#pool.acquire(length)];
    let pendingRead: Promise<number> | null = null;
    try {
      const first = buffers[0]!;
      if (length <= first.length) {
        const body = first.subarray(0, length);
        if (readFullySync(file, body, span.start) < length) {
          throw new FileChangedError(fsPath);
        }
        await res.send(status, headers, body);
        return;
      }
      // With a second buffer the next piece is read while the last one is
      // being written, so disk and socket work overlap; without one (the
      // budget is short) they take turns. Each write is awaited before its
      // buffer is refilled: the socket accepting the bytes is the
      // back-pressure, and no buffer changes under a pending write.
      const second = this.#pool.tryAcquire(length - first.length);
      if (second !== null) buffers.push(second);
      await res.start(status, headers, length);
      let left = length;
      let position = span.start;
      let current = 0;
      pendingRead = file.read(roomIn(first, left), position);
      while (left > 0) {
        const n: number = await pendingRead!;
        pendingRead = null;
        if (n === 0) throw new FileChangedError(fsPath);
        left -= n;
        position += n;
        const filled = buffers[current]!;
        current = (current + 1) % buffers.length;
        const next = buffers[current]!;
        if (left > 0 && next !== filled) {
          pendingRead = file.read(roomIn(next, left), position);
        }
        await res.write(filled.subarray(0, n));
        if (left > 0 && next === filled) {
          pendingRead = file.read(roomIn(next, left), position);
        }
      }
      await res.end();
    } finally {
      // A read still running targets a pooled buffer and the file about to
      // be closed: let it settle first (its outcome no longer matters).
      if (pendingRead !== null) await pendingRead.catch(() => 0);
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
