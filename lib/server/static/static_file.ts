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
 * - Compressible types (`../../http/content_coding.ts`) are negotiated by
 *   `Accept-Encoding`: a precompressed copy beside the file (`a.css.br`,
 *   `a.css.gz`, as nginx's `gzip_static`) when it is at least as new as
 *   the file, opened through the same confinement; else the file is
 *   compressed on the fly, once per version for a small file (kept as a
 *   prepared response), streamed through the compressor for a large one.
 *   Each coding has its own entity tag; ranges are served from the plain
 *   file, never compressed.
 *
 * @module
 */

import { BufferPool } from "./buffer_pool.ts";
import {
  acceptsIdentity,
  COMPRESSED_CODINGS,
  type CompressedCoding,
  isCompressibleType,
  MIN_COMPRESSIBLE_BYTES,
  negotiateContentCoding,
  prefersIdentity,
  SIDECAR_SUFFIXES,
} from "../../http/content_coding.ts";
import { compressBody, compressionStream } from "../../http/compression.ts";
import { contentTypeOf, mediaTypeOf } from "../../http/media_types.ts";
import type { DocrootResolver } from "../core/docroot.ts";
import {
  evaluatePreconditions,
  ifRangeHolds,
  type PreconditionOutcome,
} from "../../http/conditional.ts";
import type { PreparedResponse } from "../core/prepared_response.ts";
import { type ConfinedFile, openConfinedFile } from "../core/confined_open.ts";
import { sendErrorPage } from "../core/error_page.ts";
import type { FsWatch } from "../core/fs_watch.ts";
import {
  FileCache,
  type FileStamp,
  stampMatches,
  stampOf,
  timeOf,
} from "./file_cache.ts";
import {
  describeFile,
  type FileRepresentation,
  type RepresentationOptions,
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
  /**
   * False for the URL paths whose precompressed copies must not be used
   * (where uploads go, one could stand in for the file); default: all.
   */
  sidecarsAllowed?: (urlPath: string) => boolean;
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
  sidecarsAllowed: () => true,
});

/**
 * Largest body sent in one write with its head: past it, copying the body
 * behind the head costs more than a second write.
 */
const JOIN_LIMIT_BYTES = 128 * 1024;

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

const DONE: Decision = { kind: "done" };

/** A file served as one representation, and where its entry is cached. */
interface Source {
  /** The file whose bytes are sent. */
  readonly file: StaticFile;
  /** Its key in the cache (a sidecar's differs from its own URL's). */
  readonly key: string;
  /** How its representation differs from the plain file. */
  readonly options: RepresentationOptions;
  /** Whether a `Range` may pick part of it. */
  readonly ranges: boolean;
}

/** Largest piece read at once when compressing on the fly. */
const COMPRESS_PIECE_BYTES = 64 * 1024;

/** Cache-key suffixes of what is derived from a path. */
const SIDECAR_KEY = "\0sidecar";
const codingKey = (fsPath: string, coding: CompressedCoding) =>
  `${fsPath}\0${coding}`;

/** Serves static files for one server, with its cache and buffer pool. */
export class StaticFileServer {
  #options: Readonly<Required<StaticFileOptions>>;
  #cache: FileCache<FileRepresentation>;
  #pool: BufferPool;
  #resolver: DocrootResolver | null;
  /** The root without a trailing slash, to turn paths back into URLs. */
  #base: string;

  /**
   * Creates a server with `options` over the defaults; `watch` (of
   * `options.root`) lets it drop what changed at once; `resolver` (of the
   * same root) finds precompressed copies, without it none are served.
   */
  constructor(
    options: StaticFileOptions = {},
    watch?: FsWatch,
    resolver?: DocrootResolver,
  ) {
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
    this.#resolver = resolver ?? null;
    const root = this.#options.root;
    this.#base = root.endsWith("/") ? root.slice(0, -1) : root;
    // Correctness comes from the stamps; this only frees memory early.
    watch?.onChange((paths) => {
      for (const p of paths) {
        this.#cache.delete(p);
        this.#cache.delete(p + SIDECAR_KEY);
        for (const c of COMPRESSED_CODINGS) this.#cache.delete(codingKey(p, c));
      }
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
  serve(
    req: HttpRequest,
    res: ResponseWriter,
    file: StaticFile,
  ): Promise<void> {
    // The common hit, cached whole, is answered without an async frame of
    // its own when the prepared response is the answer.
    const rep = this.#cachedWhole(req, file);
    if (rep !== undefined) {
      const outcome = evaluatePreconditions(req.headers, rep);
      const prepared = preparedAnswer(req, rep, outcome);
      if (prepared !== null) return res.sendPrepared(prepared);
      return this.#answerFromMemory(req, res, rep, true, outcome)
        .then(() => {});
    }
    return this.#serveMiss(req, res, file);
  }

  /**
   * The prepared response that answers a GET or HEAD for `file` whole,
   * when it is cached: what {@linkcode serve} would send without weighing
   * anything else. Null otherwise. Makes no file-system call.
   */
  ready(req: HttpRequest, file: StaticFile): PreparedResponse | null {
    const rep = this.#cachedWhole(req, file);
    if (rep === undefined) return null;
    return preparedAnswer(req, rep, evaluatePreconditions(req.headers, rep));
  }

  /**
   * The cached representation of `file` with its contents, when identity
   * wins whatever is offered: the answer is then the plain file under its
   * own key, whatever its type (compressible or not, ranged or not).
   */
  #cachedWhole(
    req: HttpRequest,
    file: StaticFile,
  ): FileRepresentation | undefined {
    if (!prefersIdentity(req.headers.get("accept-encoding"))) return undefined;
    const rep = this.#cache.get(file.fsPath, file.info);
    return rep?.body === null ? undefined : rep;
  }

  /** {@linkcode serve} past the cached hit. */
  async #serveMiss(
    req: HttpRequest,
    res: ResponseWriter,
    file: StaticFile,
  ): Promise<void> {
    const acceptEncoding = req.headers.get("accept-encoding");
    const plain: Source = {
      file,
      key: file.fsPath,
      options: {},
      ranges: true,
    };
    if (!isCompressibleType(mediaTypeOf(file.fsPath))) {
      if (acceptsIdentity(acceptEncoding)) {
        await this.#serveSource(req, res, plain);
      } else await sendNotAcceptable(res);
      return;
    }
    const varied: Source = { ...plain, options: { vary: true } };
    // A range is cut from the plain file (as nginx does): offsets into
    // compressed bytes would depend on the compressor.
    if (req.method === "GET" && req.headers.get("range") !== undefined) {
      if (acceptsIdentity(acceptEncoding)) {
        await this.#serveSource(req, res, varied);
      } else await sendNotAcceptable(res);
      return;
    }
    const sidecars = acceptEncoding === undefined
      ? null
      : this.#sidecarsOf(file);
    const offered = COMPRESSED_CODINGS.filter((c) =>
      sidecars?.[c] !== undefined || file.info.size >= MIN_COMPRESSIBLE_BYTES
    );
    const coding = negotiateContentCoding(acceptEncoding, offered);
    if (coding === null) {
      await sendNotAcceptable(res);
      return;
    }
    if (coding === "identity") {
      await this.#serveSource(req, res, varied);
      return;
    }
    const sidecar = sidecars?.[coding];
    if (sidecar !== undefined) {
      const sent = await this.#serveSource(req, res, {
        file: sidecar,
        key: sidecar.fsPath + SIDECAR_KEY,
        options: {
          contentType: contentTypeOf(file.fsPath),
          coding,
          vary: true,
        },
        ranges: false,
      }, true);
      if (sent) return;
      // Gone since it was resolved: compress the file instead.
      this.#resolver?.forget(this.#urlOf(sidecar.fsPath)!);
    }
    await this.#serveCompressed(req, res, file, coding);
  }

  /**
   * The precompressed copies of `file` that are at least as new as it
   * (an older one may be left over from an earlier version), found
   * through the resolver: confined, and cached until a change is seen.
   */
  #sidecarsOf(
    file: StaticFile,
  ): Partial<Record<CompressedCoding, StaticFile>> | null {
    if (this.#resolver === null) return null;
    const url = this.#urlOf(file.fsPath);
    if (url === null || !this.#options.sidecarsAllowed(url)) return null;
    let found: Partial<Record<CompressedCoding, StaticFile>> | null = null;
    const mtimeMs = timeOf(file.info.mtime);
    for (const coding of COMPRESSED_CODINGS) {
      const r = this.#resolver.resolve(url + SIDECAR_SUFFIXES[coding]);
      if (r.kind !== "file" || timeOf(r.info.mtime) < mtimeMs) continue;
      // Where it really is counts too: a link may lead into such a folder.
      const real = this.#urlOf(r.realPath);
      if (real === null || !this.#options.sidecarsAllowed(real)) continue;
      found ??= {};
      found[coding] = r;
    }
    return found;
  }

  /** The URL path of `fsPath` under the root, or null when not under it. */
  #urlOf(fsPath: string): string | null {
    return fsPath.startsWith(this.#base + "/")
      ? fsPath.slice(this.#base.length)
      : null;
  }

  /**
   * Serves `src` as a file: from memory when its answer needs no contents
   * or they are cached, else from a confined open. When the file cannot
   * be opened, answers 403 or 404, or with `fallible` returns false and
   * sends nothing.
   */
  async #serveSource(
    req: HttpRequest,
    res: ResponseWriter,
    src: Source,
    fallible = false,
  ): Promise<boolean> {
    const file = src.file;
    let rep = this.#representationOf(src);
    let decision = await this.#answerFromMemory(req, res, rep, src.ranges);
    if (decision.kind === "done") return true;
    const opened = openConfinedFile(this.#options.root, file.fsPath, {
      realPath: file.realPath ?? file.fsPath,
      info: file.info,
    });
    if (typeof opened === "string") {
      this.#cache.delete(src.key);
      if (fallible) return false;
      await sendErrorPage(res, opened === "forbidden" ? 403 : 404, {
        detail: req.path,
      });
      return true;
    }
    try {
      if (!stampMatches(rep.stamp, opened.info)) {
        // Changed since it was resolved (its event is on the way): answer
        // for the version that is open, and cache nothing of it yet.
        this.#cache.delete(src.key);
        rep = this.#describe(src, stampOf(opened.info));
        decision = await this.#answerFromMemory(req, res, rep, src.ranges);
        if (decision.kind === "done") return true;
        await this.#sendFromFile(res, opened, file.fsPath, decision.span);
        return true;
      }
      await this.#sendFromDisk(res, opened, src, rep, decision.span);
      return true;
    } finally {
      opened.close();
    }
  }

  /**
   * Answers with `file` compressed by `coding`: a small stable file is
   * compressed once per version and kept as a prepared response, any
   * other is streamed through the compressor.
   */
  async #serveCompressed(
    req: HttpRequest,
    res: ResponseWriter,
    file: StaticFile,
    coding: CompressedCoding,
  ): Promise<void> {
    const src: Source = {
      file,
      key: codingKey(file.fsPath, coding),
      options: { coding, vary: true },
      ranges: false,
    };
    let rep = this.#cache.get(src.key, file.info) ??
      this.#describe(src, stampOf(file.info));
    if (await this.#answerConditionally(req, res, rep)) return;
    if (rep.prepared !== null) {
      await res.sendPrepared(rep.prepared);
      return;
    }
    const small = rep.size <= this.#options.cacheMaxFileBytes;
    if (req.method === "HEAD" && !(small && rep.stable)) {
      // The same head as a GET: no length, as the body is streamed.
      await res.start(200, rep.headers, null);
      await res.end();
      return;
    }
    const opened = openConfinedFile(this.#options.root, file.fsPath, {
      realPath: file.realPath ?? file.fsPath,
      info: file.info,
    });
    if (typeof opened === "string") {
      this.#cache.delete(src.key);
      await sendErrorPage(res, opened === "forbidden" ? 403 : 404, {
        detail: req.path,
      });
      return;
    }
    try {
      if (!stampMatches(rep.stamp, opened.info)) {
        this.#cache.delete(src.key);
        rep = this.#describe(src, stampOf(opened.info));
        if (await this.#answerConditionally(req, res, rep)) return;
        await this.#streamCompressed(res, opened, file.fsPath, rep, coding);
        return;
      }
      if (small && rep.stable) {
        const body = new Uint8Array(rep.size);
        if (readFullySync(opened, body, 0) < body.length) {
          throw new FileChangedError(file.fsPath);
        }
        const full = withBody(rep, await compressBody(body, coding));
        this.#cache.set(src.key, full);
        await res.sendPrepared(full.prepared!);
        return;
      }
      await this.#streamCompressed(res, opened, file.fsPath, rep, coding);
    } finally {
      opened.close();
    }
  }

  /** Answers 304 or 412 when the preconditions say so; true if it did. */
  async #answerConditionally(
    req: HttpRequest,
    res: ResponseWriter,
    rep: FileRepresentation,
  ): Promise<boolean> {
    const outcome = evaluatePreconditions(req.headers, rep);
    if (outcome === "proceed") return false;
    await answerPrecondition(res, rep, outcome);
    return true;
  }

  /**
   * Streams the open `file` through a `coding` compressor, chunked. The
   * compressor pulls a piece only when the last output was written, so
   * the socket paces the disk and memory stays at a few pieces.
   */
  async #streamCompressed(
    res: ResponseWriter,
    file: ConfinedFile,
    fsPath: string,
    rep: FileRepresentation,
    coding: CompressedCoding,
  ): Promise<void> {
    const size = rep.size;
    let position = 0;
    let pendingRead: Promise<number> | null = null;
    const source = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (position >= size) {
          controller.close();
          return;
        }
        const piece = new Uint8Array(
          Math.min(COMPRESS_PIECE_BYTES, size - position),
        );
        pendingRead = file.read(piece, position);
        const n = await pendingRead;
        pendingRead = null;
        if (n === 0) throw new FileChangedError(fsPath);
        position += n;
        controller.enqueue(n < piece.length ? piece.subarray(0, n) : piece);
      },
    }, { highWaterMark: 0 });
    await res.start(200, rep.headers, null);
    try {
      for await (const chunk of source.pipeThrough(compressionStream(coding))) {
        await res.write(chunk);
      }
      await res.end();
    } finally {
      // The file is closed next: let a read still running settle first.
      const pending = pendingRead as Promise<number> | null;
      if (pending !== null) await pending.catch(() => 0);
    }
  }

  /**
   * Answers what needs no file contents read now: 304, 412, 416, a cached
   * body, a HEAD. Otherwise says which span to send from disk. `outcome`
   * is the preconditions' verdict when the caller has it already.
   */
  async #answerFromMemory(
    req: HttpRequest,
    res: ResponseWriter,
    rep: FileRepresentation,
    ranges: boolean,
    outcome = evaluatePreconditions(req.headers, rep),
  ): Promise<Decision> {
    // The preconditions inline (or as `serve` weighed them already), not
    // through #answerConditionally: one async frame less on a cached hit.
    if (outcome !== "proceed") {
      await answerPrecondition(res, rep, outcome);
      return DONE;
    }
    const span = ranges ? spanOf(req, rep) : rep.whole;
    if (span === null) {
      await sendErrorPage(res, 416, {
        headers: [["Content-Range", unsatisfiedRangeOf(rep.size)]],
      });
      return DONE;
    }
    if (span === rep.whole && rep.prepared !== null) {
      await res.sendPrepared(rep.prepared);
      return DONE;
    }
    if (req.method === "HEAD") {
      await res.start(span.status, span.headers, span.length);
      await res.end();
      return DONE;
    }
    if (rep.body !== null) {
      await res.send(span.status, span.headers, sliceOf(rep.body, span));
      return DONE;
    }
    return { kind: "disk", span };
  }

  /** The cached description of `src`, or a new one (cached if stable). */
  #representationOf(src: Source): FileRepresentation {
    const cached = this.#cache.get(src.key, src.file.info);
    if (cached !== undefined) return cached;
    const rep = this.#describe(src, stampOf(src.file.info));
    if (rep.stable) this.#cache.set(src.key, rep);
    return rep;
  }

  /** Describes the version `stamp` of `src`'s file. */
  #describe(src: Source, stamp: FileStamp): FileRepresentation {
    return describeFile(
      src.file.fsPath,
      stamp,
      Date.now(),
      this.#options.racyWindowMs,
      src.options,
    );
  }

  /**
   * Sends `span` of the open file: a small stable file is read whole into
   * the cache first, anything else goes through the buffers.
   */
  async #sendFromDisk(
    res: ResponseWriter,
    file: ConfinedFile,
    src: Source,
    rep: FileRepresentation,
    span: Span,
  ): Promise<void> {
    const fsPath = src.file.fsPath;
    if (rep.stable && rep.size <= this.#options.cacheMaxFileBytes) {
      const body = new Uint8Array(rep.size);
      if (readFullySync(file, body, 0) < body.length) {
        throw new FileChangedError(fsPath);
      }
      const full = withBody(rep, body);
      this.#cache.set(src.key, full);
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
    // Never waits: a spent budget yields a small unpooled piece instead.
    const buffers = [this.#pool.acquire(length)];
    let pendingRead: Promise<number> | null = null;
    try {
      const first = buffers[0]!;
      if (length <= first.length) {
        const body = first.subarray(0, length);
        if (readFullySync(file, body, span.start) < length) {
          throw new FileChangedError(fsPath);
        }
        // A small body goes out with its head in one write; a larger one
        // in a write of its own, straight from the pooled buffer: joining
        // them would allocate and copy up to a MiB per response.
        if (length <= JOIN_LIMIT_BYTES) {
          await res.send(status, headers, body);
        } else {
          await res.start(status, headers, length);
          await res.write(body);
          await res.end();
        }
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
 * The prepared 200 that answers `req` from `rep` as it stands: when the
 * preconditions' `outcome` is to proceed and no range is asked for.
 */
function preparedAnswer(
  req: HttpRequest,
  rep: FileRepresentation,
  outcome: PreconditionOutcome,
): PreparedResponse | null {
  return outcome === "proceed" && !req.headers.has("range")
    ? rep.prepared
    : null;
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

/** Answers a precondition that did not let the request proceed. */
function answerPrecondition(
  res: ResponseWriter,
  rep: FileRepresentation,
  outcome: "not-modified" | "failed",
): Promise<void> {
  return outcome === "not-modified"
    ? res.sendPrepared(rep.notModified)
    : sendErrorPage(res, 412);
}

/** A 406: no coding of the file is acceptable to the client. */
function sendNotAcceptable(res: ResponseWriter): Promise<void> {
  return sendErrorPage(res, 406, { headers: [["Vary", "Accept-Encoding"]] });
}

function sliceOf(body: Uint8Array, span: Span): Uint8Array {
  return span.start === 0 && span.length === body.length
    ? body
    : body.subarray(span.start, span.start + span.length);
}

function roomIn(buffer: Uint8Array, left: number): Uint8Array {
  return left < buffer.length ? buffer.subarray(0, left) : buffer;
}
