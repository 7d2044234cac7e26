/**
 * A bounded, least-recently-used cache of what was learned about files,
 * keyed by path and checked on every lookup against the `stat` the
 * request resolved the file with, so a file whose version changed is
 * never answered from the cache. The check compares numbers only: with
 * the resolver keeping that `stat` until the file system reports a
 * change, a hit costs no file-system call.
 *
 * @module
 */

import { finiteTimeMs } from "../core/file_time.ts";

/**
 * What identifies one version of a file: a rewrite changes the size or the
 * mtime, a replacement by rename changes the inode, and a write that puts
 * the old mtime back (`touch -r`) still changes the ctime.
 */
export interface FileStamp {
  /** Size in bytes. */
  readonly size: number;
  /** Modification time in ms since the epoch (0 when unknown). */
  readonly mtimeMs: number;
  /** Status change time in ms since the epoch (0 when unknown). */
  readonly ctimeMs: number;
  /** Inode number (0 when unknown). */
  readonly ino: number;
  /** Device number (0 when unknown). */
  readonly dev: number;
}

/** Milliseconds of a `stat` time; 0 for none or an invalid one. */
export function timeOf(date: Date | null): number {
  return finiteTimeMs(date) ?? 0;
}

/** The stamp of a `stat` result. */
export function stampOf(info: Deno.FileInfo): FileStamp {
  return {
    size: info.size,
    mtimeMs: timeOf(info.mtime),
    ctimeMs: timeOf(info.ctime),
    ino: info.ino ?? 0,
    dev: info.dev,
  };
}

/** True when `info` describes the same version of the file as `stamp`. */
export function stampMatches(stamp: FileStamp, info: Deno.FileInfo): boolean {
  return stamp.size === info.size &&
    stamp.mtimeMs === timeOf(info.mtime) &&
    stamp.ino === (info.ino ?? 0) &&
    stamp.ctimeMs === timeOf(info.ctime) &&
    stamp.dev === info.dev;
}

/** What the cache needs of an entry. */
export interface CacheableEntry {
  /** The version of the file the entry describes. */
  readonly stamp: FileStamp;
  /** Bytes it holds, counted against the budget. */
  readonly cost: number;
}

/** Limits of a {@linkcode FileCache}. */
export interface FileCacheLimits {
  /** Most bytes (sum of entry costs) held at once. */
  maxBytes: number;
  /** Most entries held at once. */
  maxEntries: number;
}

/**
 * Entries by path, evicting the least recently used past either limit.
 * A `Map` keeps insertion order, so re-inserting on a hit keeps the
 * oldest entry first, where eviction takes it from.
 */
export class FileCache<E extends CacheableEntry> {
  #entries = new Map<string, E>();
  #bytes = 0;
  #limits: FileCacheLimits;

  /** Creates an empty cache with `limits`. */
  constructor(limits: FileCacheLimits) {
    this.#limits = limits;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Sum of the costs of the entries held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The entry for `path` if it describes the version `info` shows; a stale
   * entry is dropped.
   */
  get(path: string, info: Deno.FileInfo): E | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined) return undefined;
    this.#entries.delete(path);
    if (!stampMatches(entry.stamp, info)) {
      this.#bytes -= entry.cost;
      return undefined;
    }
    this.#entries.set(path, entry);
    return entry;
  }

  /**
   * Stores `entry` for `path`, replacing any earlier one and evicting the
   * least recently used entries until both limits hold. An entry larger
   * than the whole budget is not stored.
   */
  set(path: string, entry: E): void {
    this.delete(path);
    if (entry.cost > this.#limits.maxBytes || this.#limits.maxEntries < 1) {
      return;
    }
    this.#entries.set(path, entry);
    this.#bytes += entry.cost;
    if (
      this.#bytes <= this.#limits.maxBytes &&
      this.#entries.size <= this.#limits.maxEntries
    ) return;
    for (const [oldPath, old] of this.#entries) {
      if (
        this.#bytes <= this.#limits.maxBytes &&
        this.#entries.size <= this.#limits.maxEntries
      ) break;
      this.#entries.delete(oldPath);
      this.#bytes -= old.cost;
    }
  }

  /** Drops the entry for `path`, if any. */
  delete(path: string): void {
    const old = this.#entries.get(path);
    if (old === undefined) return;
    this.#entries.delete(path);
    this.#bytes -= old.cost;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
