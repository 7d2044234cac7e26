/**
 * Thumbnails already made, in memory, by file version: the key names the
 * path and the `stat` fields that change when the file does (size, mtime,
 * inode), so an edited or replaced image misses and is made anew, while
 * the old version's entry ages out.
 *
 * Memory is bounded by `maxBytes` (bodies plus a small charge per entry)
 * and `maxEntries`, least recently used first out. With a `watch` of the
 * tree, the versions of a changed file go at once instead of aging out.
 * Concurrent requests for a thumbnail not made yet share one job instead
 * of each starting one.
 *
 * @module
 */

import type { HeaderList } from "../../http/header_fields.ts";
import type { Validators } from "../../http/validators.ts";
import type { FsWatch } from "../core/fs_watch.ts";

/** A response ready to send for one thumbnail URL. */
export interface CachedThumbnail {
  /** The body (WebP, or the fallback icon). */
  body: Uint8Array;
  /** Headers for a 200 with this body. */
  headers: HeaderList;
  /** Headers for a 304 (empty when the answer has no validators). */
  notModifiedHeaders: HeaderList;
  /** Its validators, or null when the answer must not be reused. */
  validators: Validators | null;
}

/** What a producer made, and whether it may be kept. */
export interface ProducedThumbnail {
  /** The answer. */
  value: CachedThumbnail;
  /** False for answers to passing conditions (busy, file changing). */
  cacheable: boolean;
}

/** Limits of a {@linkcode ThumbnailCache}. */
export interface ThumbnailCacheOptions {
  /** Most bytes held (bodies plus a per-entry charge). */
  maxBytes?: number;
  /** Most entries held. */
  maxEntries?: number;
  /** The watch of the tree, to drop changed files' thumbnails early. */
  watch?: FsWatch;
}

/** Default byte budget: 16 MiB, some thousands of thumbnails. */
export const DEFAULT_THUMBNAIL_CACHE_BYTES = 16 * 1024 * 1024;
/** Default entry cap. */
export const DEFAULT_THUMBNAIL_CACHE_ENTRIES = 8192;

// Rough cost of the key, the entry object and its header arrays.
const ENTRY_OVERHEAD = 512;

/** The path part of a {@linkcode thumbnailKeyOf} key. */
function pathOfKey(key: string): string {
  return key.slice(0, key.indexOf("\0"));
}

/** The cache key of one version of a file. */
export function thumbnailKeyOf(fsPath: string, info: Deno.FileInfo): string {
  return `${fsPath}\0${info.size}\0${info.mtime?.getTime() ?? ""}\0${
    info.ino ?? ""
  }`;
}

/** Thumbnails by file version, least recently used evicted first. */
export class ThumbnailCache {
  #entries = new Map<string, CachedThumbnail>();
  #inflight = new Map<string, Promise<CachedThumbnail>>();
  #bytes = 0;
  #maxBytes: number;
  #maxEntries: number;
  /** Keys by file path, for the watch's events. */
  #byPath = new Map<string, Set<string>>();

  /** Creates an empty cache. */
  constructor(options: ThumbnailCacheOptions = {}) {
    this.#maxBytes = options.maxBytes ?? DEFAULT_THUMBNAIL_CACHE_BYTES;
    this.#maxEntries = options.maxEntries ?? DEFAULT_THUMBNAIL_CACHE_ENTRIES;
    // The keys name versions, so this only frees memory early.
    options.watch?.onChange((paths) => {
      for (const p of paths) {
        for (const key of this.#byPath.get(p) ?? []) this.#delete(key);
      }
    });
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry for `key`, now the most recently used, if held. */
  get(key: string): CachedThumbnail | undefined {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  /**
   * The entry for `key`: held, being made by an earlier caller, or made
   * now by `produce` (and kept when it says it may be). A rejection of
   * `produce` reaches every caller waiting for it and is not kept.
   */
  resolve(
    key: string,
    produce: () => Promise<ProducedThumbnail>,
  ): Promise<CachedThumbnail> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const job = produce().then(
      ({ value, cacheable }) => {
        this.#inflight.delete(key);
        if (cacheable) this.#store(key, value);
        return value;
      },
      (err) => {
        this.#inflight.delete(key);
        throw err;
      },
    );
    this.#inflight.set(key, job);
    return job;
  }

  /** Forgets everything held (jobs running still finish). */
  clear(): void {
    this.#entries.clear();
    this.#byPath.clear();
    this.#bytes = 0;
  }

  #delete(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= old.body.length + ENTRY_OVERHEAD;
    const path = pathOfKey(key);
    const keys = this.#byPath.get(path);
    keys?.delete(key);
    if (keys?.size === 0) this.#byPath.delete(path);
  }

  #store(key: string, value: CachedThumbnail): void {
    const cost = value.body.length + ENTRY_OVERHEAD;
    if (cost > this.#maxBytes) return;
    this.#delete(key);
    this.#entries.set(key, value);
    this.#bytes += cost;
    const path = pathOfKey(key);
    let keys = this.#byPath.get(path);
    if (keys === undefined) this.#byPath.set(path, keys = new Set());
    keys.add(key);
    for (const k of this.#entries.keys()) {
      if (
        this.#bytes <= this.#maxBytes && this.#entries.size <= this.#maxEntries
      ) break;
      this.#delete(k);
    }
  }
}
