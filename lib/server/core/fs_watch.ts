/**
 * One watcher of the served tree, so that caches can trust what they hold
 * until the file system says it changed, instead of paying a `stat` per
 * request to find out.
 *
 * - Every event bumps {@linkcode FsWatch.generation}; a cache filling a
 *   miss across an `await` records it first and keeps nothing if it moved.
 * - Changed paths reach {@linkcode FsWatch.onChange} listeners in batches
 *   (events arriving before the next timer tick form one batch). Lookups
 *   call {@linkcode FsWatch.flush} first, so an event that has arrived is
 *   never answered from a cache, whatever the timer does.
 * - `Deno.watchFs` sets up a recursive watch synchronously, one inotify
 *   watch per directory: seconds for a tree of some 10,000 directories.
 *   It runs in a worker so start-up does not wait for it; until it is
 *   ready the mode is `"starting"` and nothing may be cached.
 * - Where events cannot be had (the watch fails, the inotify limit is hit,
 *   the tree is on a network file system whose remote changes raise no
 *   events, or the watch dies later) the mode is `"interval"`: cached
 *   entries are trusted for {@linkcode FsWatch.maxAgeMs} (1 s, as
 *   lighttpd's stat cache), then verified again.
 * - A directory created in the tree is watched only once the watcher sees
 *   it, so what happens inside it just before goes unreported: paths under
 *   a directory created in the last moments are not "settled" and must
 *   not be cached.
 *
 * @module
 */

/** What the watch can promise caches. */
export type WatchMode = "starting" | "events" | "interval";

/** Receives the absolute paths that changed in one batch. */
export type ChangeListener = (paths: readonly string[]) => void;

/** Where a {@linkcode FsWatch} learns of changes. */
export interface WatchSink {
  /** The watch is in place: events from now on are complete. */
  ready(): void;
  /** Something changed at `paths`; `rescan` when events were lost. */
  event(kind: string, paths: readonly string[], rescan: boolean): void;
  /** Events can no longer be had, for `reason`. */
  failed(reason: string): void;
}

/** Produces file-system events for a tree (the default runs a worker). */
export interface WatchSource {
  /** Starts watching `root` recursively, reporting to `sink`. */
  start(root: string, sink: WatchSink): void;
  /** Stops watching; no more calls reach the sink. */
  close(): void;
}

/** Options for {@linkcode FsWatch}; every field has a default. */
export interface FsWatchOptions {
  /** How long cached entries are trusted without events, in ms. */
  intervalMs?: number;
  /** False skips events altogether (interval mode from the start). */
  useEvents?: boolean;
  /** Where events come from (default: `Deno.watchFs` in a worker). */
  source?: WatchSource;
  /** How long paths under a newly created directory stay unsettled. */
  settleMs?: number;
  /** Told of every change of mode, with the reason for interval mode. */
  onModeChange?: (mode: WatchMode, reason: string | null) => void;
  /** Monotonic clock in ms (tests inject one). */
  now?: () => number;
}

/** Default of {@linkcode FsWatchOptions.intervalMs}, as lighttpd's. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;
/** Default of {@linkcode FsWatchOptions.settleMs}. */
export const DEFAULT_SETTLE_MS = 1000;
const MAX_YOUNG = 1024;

/**
 * File systems whose changes made elsewhere (another client, the host of
 * a VM) raise no inotify events here. FUSE in general is left out:
 * fuse-overlayfs, common in containers, reports local changes fine.
 */
const EVENTLESS_FS_TYPES = new Set([
  "nfs",
  "nfs4",
  "cifs",
  "smb3",
  "smbfs",
  "9p",
  "virtiofs",
  "vboxsf",
  "vmhgfs",
  "fuse.vmhgfs-fuse",
  "ceph",
  "glusterfs",
  "fuse.glusterfs",
  "fuse.sshfs",
  "fuse.rclone",
  "fuse.s3fs",
  "davfs",
  "fuse.davfs2",
  "afs",
  "lustre",
  "gpfs",
]);

/** Undoes the octal escapes of `/proc/self/mountinfo` (`\040` = space). */
function unescapeMountPath(field: string): string {
  return field.replace(
    /\\([0-7]{3})/g,
    (_, oct: string) => String.fromCharCode(parseInt(oct, 8)),
  );
}

/**
 * The type of a file system mounted at or under `root`, or containing it,
 * that raises no events for changes made elsewhere; null when there is
 * none or the mount table cannot be read (then events are trusted).
 * `mountinfo` is the text of `/proc/self/mountinfo`.
 */
export function eventlessFileSystemOf(
  root: string,
  mountinfo: string,
): string | null {
  const inside = root === "/" ? "/" : root + "/";
  let containing: { point: string; type: string } | null = null;
  for (const line of mountinfo.split("\n")) {
    const dash = line.indexOf(" - ");
    if (dash < 0) continue;
    const point = unescapeMountPath(line.slice(0, dash).split(" ")[4] ?? "");
    const type = line.slice(dash + 3).split(" ")[0] ?? "";
    if (point === "") continue;
    if (point !== root && point.startsWith(inside)) {
      if (EVENTLESS_FS_TYPES.has(type)) return type;
      continue;
    }
    const holds = point === "/" || point === root ||
      root.startsWith(point + "/");
    if (
      holds && (containing === null || point.length >= containing.point.length)
    ) {
      containing = { point, type };
    }
  }
  return containing !== null && EVENTLESS_FS_TYPES.has(containing.type)
    ? containing.type
    : null;
}

/** True when `path` lies inside the directory `dir` (not `dir` itself). */
export function isStrictlyUnder(dir: string, path: string): boolean {
  if (dir === "/") return path.length > 1 && path.charCodeAt(0) === 47;
  return path.length > dir.length + 1 && path.startsWith(dir) &&
    path.charCodeAt(dir.length) === 47 /* / */;
}

/** Reads the mount table; "" where there is none (not Linux). */
function readMountinfo(): string {
  try {
    return Deno.readTextFileSync("/proc/self/mountinfo");
  } catch {
    return "";
  }
}

// Runs in the worker: a blob keeps it one file, with nothing for
// `deno compile --include` to miss.
const WORKER_SOURCE = `
self.onmessage = async (message) => {
  let watcher;
  try {
    watcher = Deno.watchFs(message.data, { recursive: true });
  } catch (err) {
    self.postMessage({ type: "failed", reason: String(err?.message ?? err) });
    return;
  }
  self.postMessage({ type: "ready" });
  try {
    for await (const e of watcher) {
      self.postMessage({
        type: "event",
        kind: e.kind,
        paths: e.paths,
        rescan: e.flag === "rescan",
      });
    }
    self.postMessage({ type: "failed", reason: "the watch ended" });
  } catch (err) {
    self.postMessage({ type: "failed", reason: String(err?.message ?? err) });
  }
};
`;

interface WorkerMessage {
  type: "ready" | "event" | "failed";
  kind?: string;
  paths?: string[];
  rescan?: boolean;
  reason?: string;
}

/** `Deno.watchFs` in a worker, which may take its time to set up. */
export function workerWatchSource(): WatchSource {
  let worker: Worker | null = null;
  let url: string | null = null;
  return {
    start(root, sink) {
      url = URL.createObjectURL(
        new Blob([WORKER_SOURCE], { type: "text/javascript" }),
      );
      worker = new Worker(url, { type: "module" });
      worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
        const m = e.data;
        if (m.type === "ready") sink.ready();
        else if (m.type === "event") {
          sink.event(m.kind ?? "any", m.paths ?? [], m.rescan === true);
        } else sink.failed(m.reason ?? "unknown error");
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        sink.failed(e.message);
      };
      worker.postMessage(root);
    },
    close() {
      worker?.terminate();
      worker = null;
      if (url !== null) URL.revokeObjectURL(url);
      url = null;
    },
  };
}

/** The watcher of one served tree (see the module documentation). */
export class FsWatch {
  /** The watched directory's real path (no trailing `/`). */
  readonly root: string;
  #generation = 0;
  #mode: WatchMode = "starting";
  #reason: string | null = null;
  #intervalMs: number;
  #settleMs: number;
  #now: () => number;
  #listeners = new Set<ChangeListener>();
  #pending = new Set<string>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #young = new Map<string, number>();
  #source: WatchSource | null = null;
  #onModeChange: (mode: WatchMode, reason: string | null) => void;
  #closed = false;
  #ready: Promise<WatchMode>;
  #resolveReady!: (mode: WatchMode) => void;

  /** Starts watching `root` (a real, absolute path). */
  constructor(root: string, options: FsWatchOptions = {}) {
    this.root = root.length > 1 && root.endsWith("/")
      ? root.slice(0, -1)
      : root;
    this.#intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#now = options.now ?? (() => performance.now());
    this.#onModeChange = options.onModeChange ?? (() => {});
    this.#ready = new Promise((resolve) => this.#resolveReady = resolve);
    if (options.useEvents === false) {
      this.#fallBack("file-system events are turned off");
      return;
    }
    const eventless = options.source === undefined
      ? eventlessFileSystemOf(this.root, readMountinfo())
      : null;
    if (eventless !== null) {
      this.#fallBack(`the tree is on ${eventless}, which raises no events`);
      return;
    }
    const source = options.source ?? workerWatchSource();
    this.#source = source;
    try {
      source.start(this.root, {
        ready: () => this.#onReady(),
        event: (kind, paths, rescan) => this.#onEvent(kind, paths, rescan),
        failed: (reason) => this.#fallBack(reason),
      });
    } catch (err) {
      this.#fallBack(err instanceof Error ? err.message : String(err));
    }
  }

  /** Bumped by every event; never goes down. */
  get generation(): number {
    return this.#generation;
  }

  /** What caches may rely on now. */
  get mode(): WatchMode {
    return this.#mode;
  }

  /** Why events are not used, in interval mode; else null. */
  get reason(): string | null {
    return this.#reason;
  }

  /**
   * How long a cached entry may be trusted, in ms: `Infinity` with events
   * (until a change is reported), the interval without them, and 0 while
   * the watch is starting (nothing may be cached yet).
   */
  get maxAgeMs(): number {
    if (this.#mode === "events") return Infinity;
    return this.#mode === "interval" ? this.#intervalMs : 0;
  }

  /** Resolves with the mode once the watch is no longer starting. */
  get ready(): Promise<WatchMode> {
    return this.#ready;
  }

  /** True when changed paths are waiting to be delivered. */
  get pending(): boolean {
    return this.#pending.size > 0;
  }

  /** The monotonic clock the watch and its caches share, in ms. */
  now(): number {
    return this.#now();
  }

  /**
   * Calls `listener` with every batch of changed paths; a batch holding
   * the root means "anything may have changed". Returns the unsubscribe.
   */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers the changes that have arrived, now. */
  flush(): void {
    if (this.#flushTimer !== null) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
    }
    if (this.#pending.size === 0) return;
    const paths = [...this.#pending];
    this.#pending.clear();
    for (const listener of this.#listeners) listener(paths);
  }

  /**
   * Reports changes the server made itself (an upload stored or taken
   * back): every listener hears of them now, so the answer that follows
   * (the listing an upload redirects to) never waits for their event.
   */
  report(paths: readonly string[]): void {
    this.#changed(paths);
    this.flush();
  }

  /**
   * False when `path` lies under a directory created so recently that
   * changes inside it may have gone unreported (see the module notes).
   */
  isSettled(path: string): boolean {
    if (this.#young.size === 0) return true;
    const now = this.#now();
    for (const [dir, at] of this.#young) {
      if (now - at >= this.#settleMs) {
        this.#young.delete(dir);
        continue;
      }
      if (isStrictlyUnder(dir, path)) return false;
    }
    return true;
  }

  /**
   * False when the directory `dir` was created so recently that changes
   * of its entries may have gone unreported (see {@linkcode isSettled}).
   */
  childrenSettled(dir: string): boolean {
    return this.isSettled(`${dir}/.`);
  }

  /** Stops watching; listeners get nothing more. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    this.#source?.close();
    this.#source = null;
    this.#listeners.clear();
    this.#pending.clear();
    this.#resolveReady(this.#mode);
  }

  #onReady(): void {
    if (this.#closed || this.#mode !== "starting") return;
    this.#setMode("events", null);
    // Nothing was cached while starting; this is for any listener that
    // keeps state regardless.
    this.#changed([this.root]);
  }

  #onEvent(kind: string, paths: readonly string[], rescan: boolean): void {
    if (this.#closed) return;
    if (rescan) {
      // The kernel's queue overflowed: events were lost, trust nothing.
      this.#changed([this.root]);
      return;
    }
    if (kind === "create" || kind === "rename") {
      // Either may be a directory the watch has yet to add.
      const at = this.#now();
      for (const p of paths) this.#young.set(p, at);
      // A burst of creations: the whole tree counts as new for a while,
      // which keeps the list short and errs on the safe side.
      if (this.#young.size > MAX_YOUNG) {
        this.#young.clear();
        this.#young.set(this.root, at);
      }
    }
    this.#changed(paths);
  }

  #fallBack(reason: string): void {
    if (this.#closed || this.#mode === "interval") return;
    this.#source?.close();
    this.#source = null;
    this.#setMode("interval", reason);
    this.#changed([this.root]);
  }

  #setMode(mode: WatchMode, reason: string | null): void {
    this.#mode = mode;
    this.#reason = reason;
    this.#generation++;
    this.#resolveReady(mode);
    this.#onModeChange(mode, reason);
  }

  #changed(paths: readonly string[]): void {
    this.#generation++;
    for (const p of paths) this.#pending.add(p);
    // Coalesces what arrives before the next timer tick into one batch;
    // lookups flush earlier when they need to.
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = null;
      this.flush();
    }, 0);
  }
}
