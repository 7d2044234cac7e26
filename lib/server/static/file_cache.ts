/**
 * A bounded cache of what was learned about files, keyed by path and
 * checked on every lookup against the `stat` the request resolved the file
 * with, so a file whose version changed is never answered from the cache.
 * The check compares numbers only (or, for the `stat` it last matched, one
 * reference): with the resolver keeping that `stat` until the file system
 * reports a change, a hit costs no file-system call.
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

/** An entry as held: with its use flag and the stat it last matched. */
interface Slot<E> {
  entry: E;
  used: boolean;
  // The stat object the entry last matched: the resolver hands out the
  // same one until the file changes, so a hit compares one reference.
  matched: Deno.FileInfo | null;
}

/**
 * Entries by path, evicting past either limit the oldest entry not used
 * since it was last considered (a second-chance clock): a hit only sets a
 * flag, no map is reordered.
 */
export class FileCache<E extends CacheableEntry> {
  #entries = new Map<string, Slot<E>>();
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
    const slot = this.#entries.get(path);
    if (slot === undefined) return undefined;
    if (slot.matched !== info) {
      if (!stampMatches(slot.entry.stamp, info)) {
        this.delete(path);
        return undefined;
      }
      slot.matched = info;
    }
    slot.used = true;
    return slot.entry;
  }

  /**
   * Stores `entry` for `path`, replacing any earlier one and evicting
   * entries until both limits hold. An entry larger than the whole budget
   * is not stored.
   */
  set(path: string, entry: E): void {
    this.delete(path);
    const { maxBytes, maxEntries } = this.#limits;
    if (entry.cost > maxBytes || maxEntries < 1) return;
    this.#entries.set(path, { entry, used: false, matched: null });
    this.#bytes += entry.cost;
    // Oldest first. One used since it was last looked at goes to the back
    // with its flag cleared, and is met again later in this same loop (a
    // Map iterator visits entries added during the iteration). The entry
    // just stored is passed over: it has had no chance to be used yet.
    for (const [oldPath, slot] of this.#entries) {
      if (this.#bytes <= maxBytes && this.#entries.size <= maxEntries) break;
      if (oldPath === path) continue;
      this.#entries.delete(oldPath);
      if (slot.used) {
        slot.used = false;
        this.#entries.set(oldPath, slot);
      } else this.#bytes -= slot.entry.cost;
    }
  }

  /** Drops the entry for `path`, if any. */
  delete(path: string): void {
    const old = this.#entries.get(path);
    if (old === undefined) return;
    this.#entries.delete(path);
    this.#bytes -= old.entry.cost;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
