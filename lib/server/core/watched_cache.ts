/**
 * A bounded cache whose entries stay valid until the file system reports
 * a change to the paths they were made from (see `fs_watch.ts`), so that
 * a hit costs no file-system call at all.
 *
 * - Each entry names the paths it depends on. A change at a path drops
 *   the entries at that path or under it, and those at its parent
 *   directory (a listing, an index lookup or a directory's resolution
 *   depends on the directory's children).
 * - An entry made through a symlink may depend on links that none of its
 *   paths name (a link to a link): it is marked `anyChange` and dropped
 *   by every batch of changes.
 * - An entry is stored only if the watch's generation did not move while
 *   it was being made, if no path of it is unsettled, and if the watch
 *   allows caching at all (not while starting). Without events, entries
 *   expire after the watch's interval.
 * - Bounded in entries and in bytes (the costs given), evicting the
 *   oldest entry not used since it was last considered (a second-chance
 *   clock): a hit only sets a flag, no map is reordered.
 *
 * @module
 */

import type { FsWatch } from "./fs_watch.ts";

/** How an entry is stored; see {@linkcode WatchedCache.set}. */
export interface WatchedEntryOptions {
  /** Absolute paths whose change drops the entry. */
  paths: readonly string[];
  /** The watch's generation when making the value began. */
  since: number;
  /** Bytes charged against the budget (default 0). */
  cost?: number;
  /** Drop on any change anywhere (the value went through a symlink). */
  anyChange?: boolean;
  /** Trust the entry at most this long, in ms, even with events. */
  maxAgeMs?: number;
}

/** Limits of a {@linkcode WatchedCache}. */
export interface WatchedCacheLimits {
  /** Most entries held. */
  maxEntries: number;
  /** Most bytes (sum of entry costs) held. */
  maxBytes: number;
}

interface Entry<V> {
  value: V;
  paths: readonly string[];
  cost: number;
  anyChange: boolean;
  expiresAt: number;
  used: boolean;
}

interface PathNode {
  parent: PathNode | null;
  name: string;
  children: Map<string, PathNode> | null;
  keys: Set<string> | null;
}

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** Keys by path, as a tree of path segments, for subtree queries. */
class PathIndex {
  #top: PathNode = { parent: null, name: "", children: null, keys: null };

  add(path: string, key: string): void {
    let node = this.#top;
    for (const seg of segmentsOf(path)) {
      node.children ??= new Map();
      let next = node.children.get(seg);
      if (next === undefined) {
        next = { parent: node, name: seg, children: null, keys: null };
        node.children.set(seg, next);
      }
      node = next;
    }
    (node.keys ??= new Set()).add(key);
  }

  remove(path: string, key: string): void {
    let node: PathNode | undefined = this.#top;
    for (const seg of segmentsOf(path)) {
      node = node.children?.get(seg);
      if (node === undefined) return;
    }
    node.keys?.delete(key);
    // Prune nodes left empty, so the tree stays as small as the cache.
    while (
      node.parent !== null && (node.keys === null || node.keys.size === 0) &&
      (node.children === null || node.children.size === 0)
    ) {
      node.parent.children?.delete(node.name);
      node = node.parent;
    }
  }

  /** Adds the keys at `path` (and below it when `subtree`) to `out`. */
  collect(path: string, subtree: boolean, out: Set<string>): void {
    let node: PathNode | undefined = this.#top;
    for (const seg of segmentsOf(path)) {
      node = node.children?.get(seg);
      if (node === undefined) return;
    }
    if (!subtree) {
      if (node.keys !== null) { for (const k of node.keys) out.add(k); }
      return;
    }
    const stack: PathNode[] = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.keys !== null) { for (const k of n.keys) out.add(k); }
      if (n.children !== null) {
        for (const c of n.children.values()) stack.push(c);
      }
    }
  }

  clear(): void {
    this.#top = { parent: null, name: "", children: null, keys: null };
  }
}

function parentOf(path: string): string | null {
  const slash = path.lastIndexOf("/");
  if (slash < 0 || path.length <= 1) return null;
  return slash === 0 ? "/" : path.slice(0, slash);
}

/** Values by key, dropped when the files they came from change. */
export class WatchedCache<V> {
  #watch: FsWatch;
  #limits: WatchedCacheLimits;
  #entries = new Map<string, Entry<V>>();
  #index = new PathIndex();
  #anyChange = new Set<string>();
  #bytes = 0;
  #unsubscribe: () => void;

  /** Creates an empty cache that listens to `watch`. */
  constructor(watch: FsWatch, limits: WatchedCacheLimits) {
    this.#watch = watch;
    this.#limits = limits;
    this.#unsubscribe = watch.onChange((paths) => this.#onChange(paths));
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Sum of the costs of the entries held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The watch the cache listens to. */
  get watch(): FsWatch {
    return this.#watch;
  }

  /**
   * The value for `key` if held and still trusted. Changes that have
   * arrived are applied first. Makes no file-system call.
   */
  get(key: string): V | undefined {
    if (this.#watch.pending) this.#watch.flush();
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== Infinity && this.#watch.now() >= entry.expiresAt) {
      this.#remove(key, entry);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  /**
   * Stores `value` for `key` unless the watch's generation moved since
   * `options.since`, a path is unsettled, the watch allows no caching or
   * the value is over the byte budget. Returns whether it was stored.
   */
  set(key: string, value: V, options: WatchedEntryOptions): boolean {
    const watch = this.#watch;
    if (watch.pending) watch.flush();
    this.delete(key);
    if (watch.generation !== options.since) return false;
    const maxAge = Math.min(watch.maxAgeMs, options.maxAgeMs ?? Infinity);
    if (!(maxAge > 0)) return false;
    const cost = options.cost ?? 0;
    if (cost > this.#limits.maxBytes || this.#limits.maxEntries < 1) {
      return false;
    }
    for (const p of options.paths) if (!watch.isSettled(p)) return false;
    const entry: Entry<V> = {
      value,
      paths: options.paths,
      cost,
      anyChange: options.anyChange === true,
      expiresAt: maxAge === Infinity ? Infinity : watch.now() + maxAge,
      used: false,
    };
    this.#entries.set(key, entry);
    this.#bytes += cost;
    for (const p of entry.paths) this.#index.add(p, key);
    if (entry.anyChange) this.#anyChange.add(key);
    this.#evict(key);
    return true;
  }

  /** Drops the entry for `key`, if any. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(key, entry);
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#index.clear();
    this.#anyChange.clear();
    this.#bytes = 0;
  }

  /** Drops every entry and stops listening to the watch. */
  close(): void {
    this.#unsubscribe();
    this.clear();
  }

  #remove(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#bytes -= entry.cost;
    for (const p of entry.paths) this.#index.remove(p, key);
    if (entry.anyChange) this.#anyChange.delete(key);
  }

  #onChange(paths: readonly string[]): void {
    if (this.#entries.size === 0) return;
    const root = this.#watch.root;
    if (paths.includes(root)) {
      this.clear();
      return;
    }
    const doomed = new Set<string>(this.#anyChange);
    for (const p of paths) {
      this.#index.collect(p, true, doomed);
      const parent = parentOf(p);
      if (parent !== null) this.#index.collect(parent, false, doomed);
    }
    for (const key of doomed) this.delete(key);
  }

  #evict(justStored: string): void {
    const { maxEntries, maxBytes } = this.#limits;
    // Oldest first. One used since it was last looked at goes to the back
    // with its flag cleared, and is met again later in this same loop (a
    // Map iterator visits entries added during the iteration). The entry
    // just stored is passed over: it has had no chance to be used yet.
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= maxEntries && this.#bytes <= maxBytes) return;
      if (key === justStored) continue;
      if (entry.used) {
        entry.used = false;
        this.#entries.delete(key);
        this.#entries.set(key, entry);
        continue;
      }
      this.#remove(key, entry);
    }
  }
}
