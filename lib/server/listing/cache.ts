/**
 * A cache of directory listings, so that a busy listing costs one `stat`
 * of the directory instead of a `readdir` plus a `stat` per entry plus a
 * render on every request.
 *
 * How it stays correct:
 * - Per directory it keeps one snapshot: the entries as read, the
 *   directory's inode and mtime when they were read, and the rendered
 *   variants (sort × format × content coding) made from them, each
 *   built on first use.
 * - Every request stats the directory. Adding, removing or renaming an
 *   entry changes the directory's mtime (POSIX), and replacing the
 *   directory changes its inode; either makes the snapshot miss, so new
 *   and deleted files show up at once.
 * - A file's size or mtime changing does NOT touch its directory's mtime,
 *   and the mtime clock is coarse (a file created in the same tick as the
 *   read would be missed). So a snapshot is also re-read once it is
 *   `freshForMs` old (1 s by default): sizes and times shown are at most
 *   about a second stale, the bound lighttpd's stat cache also keeps. Under
 *   load that is one re-read per directory per second, not per request,
 *   and when the re-read finds the same entries the rendered variants are
 *   kept, so nothing is sorted or rendered again.
 * - Each snapshot carries the listing's `Last-Modified`, decided by the
 *   reader when it read. A re-read that finds the same entries keeps the
 *   old date (the bytes did not change since), unless the old snapshot had
 *   none (read too soon after a change) and the new one has one.
 * - A re-read runs on the serving thread, and one of a huge directory is
 *   slow (10,000 entries: a few hundred ms on a busy machine). So a
 *   snapshot stays fresh for at least `readCostFactor` times as long as
 *   its read took: re-reading never takes more than about a tenth of the
 *   time, at the price of staler sizes in such directories only.
 * - Memory is bounded by `maxBytes` (rendered bodies plus an estimate for
 *   entries) and `maxSnapshots`: the least recently read snapshots are
 *   dropped first. A
 *   directory in steady use is re-read every second, so it stays.
 * - With a `watch` of the served tree (`../core/fs_watch.ts`) the clock
 *   gives way to events: a snapshot stays until a change is reported at
 *   its directory or at an entry of it (a file's size or mtime changing
 *   included), so a hit makes no file-system call at all. Without events
 *   the watch's interval (1 s) is the bound; while the watch is starting,
 *   or for a directory so new that the watch may not cover it yet,
 *   nothing is trusted and every request reads again.
 *
 * @module
 */

import type { FsWatch } from "../core/fs_watch.ts";
import type { PreparedResponse } from "../core/prepared_response.ts";
import type { HeaderList } from "../../http/header_fields.ts";
import type { Validators } from "../../http/validators.ts";
import type { ListingEntry } from "./entries.ts";

/** What identifies one state of a directory: its inode and mtime. */
export interface DirectoryStamp {
  /** Inode number (null where the platform has none). */
  ino: number | null;
  /** Modification time in ms (null when unknown). */
  mtimeMs: number | null;
}

/** A response ready to send: one body, its headers and validators. */
export interface RenderedListing extends Validators {
  /** The encoded body. */
  body: Uint8Array;
  /** Headers for a 200 with this body. */
  headers: HeaderList;
  /** Headers for a 304. */
  notModifiedHeaders: HeaderList;
  /** The entity tag of `body`, quoted. */
  etag: string;
  /** The 200 as ready-made bytes. */
  prepared?: PreparedResponse;
  /** The 304 as ready-made bytes. */
  notModified?: PreparedResponse;
}

/** Bytes a rendered variant holds: its body, and its prepared copies. */
function renderedCost(rendered: RenderedListing): number {
  return rendered.body.length + (rendered.prepared?.cost ?? 0);
}

/** What a reader found in a directory. */
export interface DirectoryRead {
  /** Entries in file-system order. */
  readonly entries: ListingEntry[];
  /** The `Last-Modified` of listings made from them, or null for none. */
  readonly lastModifiedMs: number | null;
  /**
   * How long the read may be trusted at most, in ms, whatever events say
   * (a listing read too soon after a change must be read again to get a
   * date); absent for no limit.
   */
  readonly trustForMs?: number;
}

/** The entries of one directory as read, and what was rendered from them. */
export interface ListingSnapshot {
  /** Entries in file-system order. */
  readonly entries: readonly ListingEntry[];
  /** The `Last-Modified` of listings made from them, or null for none. */
  readonly lastModifiedMs: number | null;
  /** Rendered variants by a caller-chosen key (format, sort, coding). */
  readonly variants: ReadonlyMap<string, RenderedListing>;
}

/** Options for {@linkcode ListingCache}. */
export interface ListingCacheOptions {
  /** How long a snapshot may be reused with an unchanged stamp (ms). */
  freshForMs?: number;
  /** Budget for all snapshots, in bytes (approximate). */
  maxBytes?: number;
  /** Most directories held at once. */
  maxSnapshots?: number;
  /** A snapshot stays fresh at least this many times its read time. */
  readCostFactor?: number;
  /** The clock, in ms (monotonic); tests inject one. */
  now?: () => number;
  /** The watch whose events decide freshness (else `freshForMs` does). */
  watch?: FsWatch;
}

interface Snapshot extends ListingSnapshot {
  readonly stamp: DirectoryStamp;
  readAt: number;
  /** How long this snapshot may be reused (ms). */
  freshFor: number;
  readonly variants: Map<string, RenderedListing>;
  bytes: number;
  /** The directory's paths, whose changes (or their entries') drop it. */
  readonly paths: readonly string[];
}

/** Default staleness bound for sizes and times of entries. */
export const DEFAULT_FRESH_FOR_MS = 1000;
/** Default memory budget. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** Default cap on directories held (a crawler walking a big tree). */
export const DEFAULT_MAX_SNAPSHOTS = 4096;
/** Default floor of freshness, in multiples of a snapshot's read time. */
export const DEFAULT_READ_COST_FACTOR = 10;

// Rough per-entry cost of the object and its strings (UTF-16).
function entriesBytes(entries: readonly ListingEntry[]): number {
  let n = 0;
  for (const e of entries) n += 96 + e.name.length * 2;
  return n;
}

/** True when two reads found the same entries in the same order. */
function sameEntries(
  a: readonly ListingEntry[],
  b: readonly ListingEntry[],
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.name !== y.name || x.size !== y.size || x.mtimeMs !== y.mtimeMs ||
      x.isDirectory !== y.isDirectory
    ) return false;
  }
  return true;
}

/** Listings by directory, revalidated by stamp and age. */
export class ListingCache {
  #snapshots = new Map<string, Snapshot>();
  #bytes = 0;
  #freshForMs: number;
  #maxBytes: number;
  #maxSnapshots: number;
  #readCostFactor: number;
  #now: () => number;
  #watch: FsWatch | null;
  /** Snapshot keys by directory path, for events. */
  #byPath = new Map<string, Set<string>>();

  /** Creates an empty cache. */
  constructor(options: ListingCacheOptions = {}) {
    this.#freshForMs = options.freshForMs ?? DEFAULT_FRESH_FOR_MS;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#maxSnapshots = options.maxSnapshots ?? DEFAULT_MAX_SNAPSHOTS;
    this.#readCostFactor = options.readCostFactor ?? DEFAULT_READ_COST_FACTOR;
    this.#watch = options.watch ?? null;
    this.#now = options.now ?? this.#watch?.now.bind(this.#watch) ??
      (() => performance.now());
    this.#watch?.onChange((paths) => this.#onChange(paths));
  }

  /** Snapshots held. */
  get size(): number {
    return this.#snapshots.size;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The snapshot for `key` if its stamp equals `stamp` and it is fresh;
   * otherwise calls `read` and stores a new one (or renews the old one
   * when `read` found the same entries). Errors from `read`
   * propagate, and drop any old snapshot for `key`. `paths` are the
   * directory's paths, for the watch's events.
   */
  snapshot(
    key: string,
    stamp: DirectoryStamp,
    read: () => DirectoryRead,
    paths: readonly string[] = [],
  ): ListingSnapshot {
    if (this.#watch?.pending) this.#watch.flush();
    const old = this.#snapshots.get(key);
    const sameStamp = old !== undefined && old.stamp.ino === stamp.ino &&
      old.stamp.mtimeMs === stamp.mtimeMs;
    // Trusted until a change is reported (the usual hit with events): no
    // clock reading needed.
    if (sameStamp && old.freshFor === Infinity) return old;
    const now = this.#now();
    if (sameStamp && now - old.readAt < old.freshFor) return old;
    let found: DirectoryRead;
    try {
      found = read();
    } catch (err) {
      if (old !== undefined) this.#drop(key, old);
      throw err;
    }
    const trusted = Math.min(
      this.#trustedForMs(paths),
      found.trustForMs ?? Infinity,
    );
    const freshFor = trusted <= 0
      ? 0
      : Math.max(trusted, (this.#now() - now) * this.#readCostFactor);
    // Stale but unchanged (the usual case under load): keep the rendered
    // variants and just restart the clock, so a re-read costs no render.
    // Their date still holds; only gaining a date is worth a render.
    if (
      sameStamp && sameEntries(old.entries, found.entries) &&
      (old.lastModifiedMs !== null || found.lastModifiedMs === null)
    ) {
      old.readAt = now;
      old.freshFor = freshFor;
      // Move it to the back of the eviction order.
      this.#snapshots.delete(key);
      this.#snapshots.set(key, old);
      return old;
    }
    if (old !== undefined) this.#drop(key, old);
    // The age counts from before the read, so the bound is never exceeded.
    const fresh: Snapshot = {
      stamp,
      readAt: now,
      freshFor,
      entries: found.entries,
      lastModifiedMs: found.lastModifiedMs,
      variants: new Map(),
      bytes: entriesBytes(found.entries),
      paths,
    };
    this.#snapshots.set(key, fresh);
    for (const p of paths) {
      let keys = this.#byPath.get(p);
      if (keys === undefined) this.#byPath.set(p, keys = new Set());
      keys.add(key);
    }
    this.#bytes += fresh.bytes;
    this.#evict();
    return fresh;
  }

  /**
   * Stores a rendered variant in `snapshot`, if that snapshot is still the
   * current one for `key` and the variant is not too big to be worth it.
   */
  remember(
    key: string,
    snapshot: ListingSnapshot,
    variantKey: string,
    rendered: RenderedListing,
  ): void {
    const current = this.#snapshots.get(key);
    if (current === undefined || current !== snapshot) return;
    // One huge listing must not push every other directory out.
    if (renderedCost(rendered) > this.#maxBytes / 4) return;
    const prior = current.variants.get(variantKey);
    const delta = renderedCost(rendered) -
      (prior === undefined ? 0 : renderedCost(prior));
    current.variants.set(variantKey, rendered);
    current.bytes += delta;
    this.#bytes += delta;
    this.#evict();
  }

  /** Forgets everything. */
  clear(): void {
    this.#snapshots.clear();
    this.#byPath.clear();
    this.#bytes = 0;
  }

  /** How long a snapshot of the directory at `paths` may be trusted. */
  #trustedForMs(paths: readonly string[]): number {
    const watch = this.#watch;
    if (watch === null) return this.#freshForMs;
    for (const p of paths) if (!watch.childrenSettled(p)) return 0;
    return watch.maxAgeMs;
  }

  /** Drops the snapshots of changed directories and of their parents. */
  #onChange(paths: readonly string[]): void {
    if (this.#watch !== null && paths.includes(this.#watch.root)) {
      this.clear();
      return;
    }
    for (const changed of paths) {
      const parent = changed.slice(0, changed.lastIndexOf("/")) || "/";
      for (const dir of [changed, parent]) {
        const keys = this.#byPath.get(dir);
        if (keys === undefined) continue;
        for (const key of [...keys]) {
          const snapshot = this.#snapshots.get(key);
          if (snapshot !== undefined) this.#drop(key, snapshot);
        }
      }
    }
  }

  #drop(key: string, snapshot: Snapshot): void {
    this.#snapshots.delete(key);
    this.#bytes -= snapshot.bytes;
    for (const p of snapshot.paths) {
      const keys = this.#byPath.get(p);
      keys?.delete(key);
      if (keys?.size === 0) this.#byPath.delete(p);
    }
  }

  #evict(): void {
    // Map order is insertion order: oldest reads go first.
    for (const [key, snapshot] of this.#snapshots) {
      if (
        this.#bytes <= this.#maxBytes &&
        this.#snapshots.size <= this.#maxSnapshots
      ) return;
      this.#drop(key, snapshot);
    }
  }
}
