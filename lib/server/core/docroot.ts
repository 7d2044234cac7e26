/**
 * Mapping a decoded URL path onto the document root, and nothing outside
 * it: `.` and `..` segments and backslashes are refused rather than
 * repaired, dotfiles are hidden unless allowed (temporary upload files
 * always: `hidden_names.ts`), and every hit is resolved
 * through symlinks and checked to lie inside the root.
 *
 * What a verdict carries is what was checked: the real path (CGI runs
 * exactly that path, never the name it was found by) and, for a file, the
 * `stat` taken through the handle whose real path was checked (see
 * `confined_open.ts`), which later opens compare against. A
 * {@linkcode DocrootResolver} keeps verdicts by URL path until the file
 * system reports a change to what they were made from, so a hit costs no
 * file-system call. Events name the path a change was made through, so a
 * file with several hard links is checked again every second instead.
 *
 * @module
 */

import { encodePath } from "../../http/request_target.ts";
import {
  type ConfinementFailure,
  inspectConfined,
  isInside,
} from "./confined_open.ts";
import { failureOf } from "./fs_errors.ts";
import { isHiddenName } from "./hidden_names.ts";
import { DEFAULT_WATCH_INTERVAL_MS, type FsWatch } from "./fs_watch.ts";
import { WatchedCache } from "./watched_cache.ts";

export { isInside } from "./confined_open.ts";

/** What a URL path names inside the document root. */
export type Resolution =
  | {
    readonly kind: "file";
    /** The root joined with the URL's segments (may hold symlinks). */
    readonly fsPath: string;
    /** The checked real path, inside the root. */
    readonly realPath: string;
    /** The `stat` of the checked file. */
    readonly info: Deno.FileInfo;
  }
  | {
    readonly kind: "cgi";
    /** The root joined with the URL's segments naming the script. */
    readonly fsPath: string;
    /** The checked real path: the one to run. */
    readonly realPath: string;
    /** The `stat` of the script at its real path. */
    readonly info: Deno.FileInfo;
    /** The URL path naming the script (`SCRIPT_NAME`). */
    readonly scriptName: string;
    /** The rest of the URL path (`PATH_INFO`, may be ""). */
    readonly pathInfo: string;
  }
  | {
    readonly kind: "directory";
    /** The root joined with the URL's segments (may hold symlinks). */
    readonly fsPath: string;
    /** The checked real path, inside the root. */
    readonly realPath: string;
    /** The canonical URL path, ending in `/`. */
    readonly urlPath: string;
    /** The `stat` of the directory at its real path. */
    readonly info: Deno.FileInfo;
  }
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "not-found" }
  | { readonly kind: "forbidden" }
  | { readonly kind: "bad-request"; readonly reason: string };

/** Options for {@linkcode resolveInDocroot}. */
export interface ResolveOptions {
  /** Serve names that start with a dot. */
  dotfiles: boolean;
}

/** True when any execute bit is set (POSIX); never on Windows. */
export function isExecutable(info: Deno.FileInfo): boolean {
  return info.mode !== null && (info.mode & 0o111) !== 0;
}

/** A verdict and what it was made from, for caching. */
interface Resolved {
  resolution: Resolution;
  /** Paths whose change makes the verdict stale. */
  paths: string[];
  /** True when it went through a symlink (any change may affect it). */
  anyChange: boolean;
}

const NOT_FOUND: Resolution = Object.freeze({ kind: "not-found" });
const FORBIDDEN: Resolution = Object.freeze({ kind: "forbidden" });

/** `stat` that names the failures instead of throwing them. */
function statOf(path: string): Deno.FileInfo | ConfinementFailure {
  try {
    return Deno.statSync(path);
  } catch (err) {
    if (
      err instanceof Deno.errors.PermissionDenied ||
      err instanceof Deno.errors.NotCapable
    ) return "forbidden";
    // Missing, a file on the way, a loop, a dangling link: all "no such
    // resource" to a client.
    return "not-found";
  }
}

/**
 * The real path and `stat` of a regular file or directory `path`. An
 * executable is only ever run by its path, so its real path is found by
 * path (and works for scripts that may be run but not read); anything
 * else is checked through an open handle, so the identity recorded is the
 * one a later open compares against.
 */
function checkEntry(
  root: string,
  path: string,
  pre: Deno.FileInfo,
): { realPath: string; info: Deno.FileInfo } | ConfinementFailure {
  if (pre.isFile && isExecutable(pre)) {
    try {
      const realPath = Deno.realPathSync(path);
      if (!isInside(root, realPath)) return "forbidden";
      const info = Deno.statSync(realPath);
      if (info.isFile && isExecutable(info)) return { realPath, info };
    } catch (err) {
      return failureOf(err) ?? "not-found";
    }
  }
  if (pre.isDirectory) {
    // No data is read on this verdict (a listing binds its own handle),
    // and a directory may be searchable without being readable.
    try {
      const realPath = Deno.realPathSync(path);
      if (!isInside(root, realPath)) return "forbidden";
      const info = Deno.statSync(realPath);
      return info.isDirectory ? { realPath, info } : "not-found";
    } catch (err) {
      return failureOf(err) ?? "not-found";
    }
  }
  return inspectConfined(root, path);
}

function resolveUncached(
  root: string,
  urlPath: string,
  options: ResolveOptions,
): Resolved {
  const plain = (resolution: Resolution): Resolved => ({
    resolution,
    paths: [],
    anyChange: false,
  });
  if (urlPath.charCodeAt(0) !== 47 /* / */) {
    return plain({ kind: "bad-request", reason: "Path does not start with /" });
  }
  if (urlPath.includes("\\")) {
    return plain({ kind: "bad-request", reason: "Path holds a backslash" });
  }
  const segments: string[] = [];
  for (const seg of urlPath.split("/")) {
    if (seg === "") continue;
    if (seg === "." || seg === "..") {
      return plain({ kind: "bad-request", reason: "Path holds a dot segment" });
    }
    if (isHiddenName(seg, options.dotfiles)) return plain(NOT_FOUND);
    segments.push(seg);
  }
  const trailingSlash = urlPath.endsWith("/");
  const base = root.endsWith("/") ? root.slice(0, -1) : root;
  const prefixOf = (n: number) =>
    n === 0 ? root : `${base}/${segments.slice(0, n).join("/")}`;
  const fsPath = prefixOf(segments.length);
  const pre = statOf(fsPath);
  if (pre === "forbidden") {
    return { resolution: FORBIDDEN, paths: [fsPath], anyChange: false };
  }
  if (pre !== "not-found") {
    if (!pre.isFile && !pre.isDirectory) {
      return { resolution: FORBIDDEN, paths: [fsPath], anyChange: false };
    }
    const checked = checkEntry(root, fsPath, pre);
    if (typeof checked === "string") {
      // A swap raced the check, or it leads outside: depends on links.
      return {
        resolution: checked === "forbidden" ? FORBIDDEN : NOT_FOUND,
        paths: [fsPath],
        anyChange: true,
      };
    }
    const { realPath, info } = checked;
    const resolved = (resolution: Resolution): Resolved => ({
      resolution,
      paths: realPath === fsPath ? [fsPath] : [fsPath, realPath],
      anyChange: realPath !== fsPath,
    });
    const canonical = "/" + segments.join("/");
    if (info.isDirectory) {
      if (!trailingSlash) {
        // Built from the cleaned segments, so it can never start with "//".
        return resolved({
          kind: "redirect",
          location: encodePath(canonical === "/" ? "/" : canonical + "/"),
        });
      }
      return resolved({
        kind: "directory",
        fsPath,
        realPath,
        urlPath: canonical === "/" ? "/" : canonical + "/",
        info,
      });
    }
    if (!info.isFile) return resolved(FORBIDDEN);
    if (trailingSlash) return resolved(NOT_FOUND);
    if (isExecutable(info)) {
      return resolved({
        kind: "cgi",
        fsPath,
        realPath,
        info,
        scriptName: canonical,
        pathInfo: "",
      });
    }
    return resolved({ kind: "file", fsPath, realPath, info });
  }
  // Not there as a whole: an executable prefix makes the rest PATH_INFO.
  for (let i = 1; i <= segments.length; i++) {
    const prefix = prefixOf(i);
    const st = i === segments.length ? "not-found" : statOf(prefix);
    if (st === "forbidden") {
      return { resolution: FORBIDDEN, paths: [fsPath], anyChange: false };
    }
    if (st === "not-found") {
      return notFoundAt(root, fsPath, prefixOf(i - 1), prefix);
    }
    if (st.isDirectory) continue;
    if (!st.isFile || !isExecutable(st)) {
      return { resolution: NOT_FOUND, paths: [fsPath], anyChange: false };
    }
    const checked = checkEntry(root, prefix, st);
    if (typeof checked === "string" || !isExecutable(checked.info)) {
      return {
        resolution: checked === "forbidden" ? FORBIDDEN : NOT_FOUND,
        paths: [fsPath],
        anyChange: true,
      };
    }
    const rest = "/" + segments.slice(i).join("/") + (trailingSlash ? "/" : "");
    return {
      resolution: {
        kind: "cgi",
        fsPath: prefix,
        realPath: checked.realPath,
        info: checked.info,
        scriptName: "/" + segments.slice(0, i).join("/"),
        pathInfo: rest,
      },
      paths: checked.realPath === prefix
        ? [prefix]
        : [prefix, checked.realPath],
      anyChange: checked.realPath !== prefix,
    };
  }
  return plain(NOT_FOUND);
}

/**
 * A 404 for `fsPath`, whose first missing component is `missing` under
 * the existing directory `parent`. It goes stale when something appears
 * at `fsPath` or above it, which the watch reports at those paths unless
 * a symlink is involved: `missing` being a dangling link, or `parent`
 * reached through one.
 */
function notFoundAt(
  root: string,
  fsPath: string,
  parent: string,
  missing: string,
): Resolved {
  let viaLink = true;
  try {
    Deno.lstatSync(missing);
  } catch {
    // Absent indeed, not a dangling link.
    try {
      viaLink = parent !== root && Deno.realPathSync(parent) !== parent;
    } catch {
      viaLink = true;
    }
  }
  return { resolution: NOT_FOUND, paths: [fsPath], anyChange: viaLink };
}

/**
 * Resolves a percent-decoded URL path against `root`, which must be the
 * real (symlink-free) absolute path of the document root. Makes the
 * file-system calls every time; {@linkcode DocrootResolver} caches.
 *
 * @throws errors other than missing paths and denied access (EMFILE…).
 */
export function resolveInDocroot(
  root: string,
  urlPath: string,
  options: ResolveOptions,
): Resolution {
  return resolveUncached(root, urlPath, options).resolution;
}

/** Options for {@linkcode DocrootResolver}. */
export interface DocrootResolverOptions extends ResolveOptions {
  /** The watch of the document root whose reports keep verdicts fresh. */
  watch: FsWatch;
  /** Most verdicts kept (default 16,384). */
  maxEntries?: number;
}

/** Default of {@linkcode DocrootResolverOptions.maxEntries}. */
export const DEFAULT_RESOLVER_ENTRIES = 16_384;

// Rough bytes of a verdict: the object, its paths and the key.
const VERDICT_OVERHEAD = 256;

/**
 * {@linkcode resolveInDocroot} with its verdicts kept by URL path until
 * the watch reports a change to what they were made from.
 */
export class DocrootResolver {
  /** The document root's real path. */
  readonly root: string;
  #options: ResolveOptions;
  #watch: FsWatch;
  #cache: WatchedCache<Resolution>;

  /** Creates a resolver of `root` (real, absolute) over `options.watch`. */
  constructor(root: string, options: DocrootResolverOptions) {
    this.root = root;
    this.#options = { dotfiles: options.dotfiles };
    this.#watch = options.watch;
    const maxEntries = options.maxEntries ?? DEFAULT_RESOLVER_ENTRIES;
    this.#cache = new WatchedCache(options.watch, {
      maxEntries,
      maxBytes: maxEntries * 4 * VERDICT_OVERHEAD,
    });
  }

  /** Verdicts held. */
  get cached(): number {
    return this.#cache.size;
  }

  /**
   * What `urlPath` (percent-decoded) names: a kept verdict without any
   * file-system call, or a fresh one.
   *
   * @throws errors other than missing paths and denied access (EMFILE…).
   */
  resolve(urlPath: string): Resolution {
    const hit = this.#cache.get(urlPath);
    if (hit !== undefined) return hit;
    const since = this.#watch.generation;
    const { resolution, paths, anyChange } = resolveUncached(
      this.root,
      urlPath,
      this.#options,
    );
    // Refusals of the URL itself cost nothing to repeat; keep them out.
    if (paths.length > 0) {
      let cost = VERDICT_OVERHEAD + 2 * urlPath.length;
      for (const p of paths) cost += 2 * p.length;
      // A file with other names changes unseen when written through one
      // outside the tree (events name the path written to): checked
      // again as often as without events.
      const linked = "info" in resolution && resolution.info.isFile &&
        (resolution.info.nlink ?? 1) > 1;
      this.#cache.set(urlPath, resolution, {
        paths,
        since,
        anyChange,
        cost,
        maxAgeMs: linked ? DEFAULT_WATCH_INTERVAL_MS : undefined,
      });
    }
    return resolution;
  }

  /** Drops the verdict for `urlPath` (a handler found it stale). */
  forget(urlPath: string): void {
    this.#cache.delete(urlPath);
  }

  /** Drops every verdict and stops listening to the watch. */
  close(): void {
    this.#cache.close();
  }
}
