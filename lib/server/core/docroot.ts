/**
 * Mapping a decoded URL path onto the document root, and nothing outside
 * it: `.` and `..` segments and backslashes are refused rather than
 * repaired, dotfiles are hidden unless allowed, and every hit is resolved
 * through symlinks and checked to lie inside the root.
 *
 * @module
 */

import { encodePath } from "../../http/request_target.ts";

/** What a URL path names inside the document root. */
export type Resolution =
  | { kind: "file"; fsPath: string; info: Deno.FileInfo }
  | {
    kind: "cgi";
    fsPath: string;
    info: Deno.FileInfo;
    scriptName: string;
    pathInfo: string;
  }
  | {
    kind: "directory";
    fsPath: string;
    urlPath: string;
    info: Deno.FileInfo;
  }
  | { kind: "redirect"; location: string }
  | { kind: "not-found" }
  | { kind: "forbidden" }
  | { kind: "bad-request"; reason: string };

/** Options for {@linkcode resolveInDocroot}. */
export interface ResolveOptions {
  /** Serve names that start with a dot. */
  dotfiles: boolean;
}

/** True when any execute bit is set (POSIX); never on Windows. */
export function isExecutable(info: Deno.FileInfo): boolean {
  return info.mode !== null && (info.mode & 0o111) !== 0;
}

/** True when `path` is `root` or inside it (both real, absolute paths). */
export function isInside(root: string, path: string): boolean {
  return path === root ||
    path.startsWith(root.endsWith("/") ? root : root + "/");
}

function statOrNull(path: string): Deno.FileInfo | null | "forbidden" {
  try {
    return Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied) return "forbidden";
    return null;
  }
}

function confined(root: string, fsPath: string): boolean {
  try {
    return isInside(root, Deno.realPathSync(fsPath));
  } catch {
    return false;
  }
}

/**
 * Resolves a percent-decoded URL path against `root`, which must be the
 * real (symlink-free) absolute path of the document root.
 */
export function resolveInDocroot(
  root: string,
  urlPath: string,
  options: ResolveOptions,
): Resolution {
  if (urlPath.charCodeAt(0) !== 47 /* / */) {
    return { kind: "bad-request", reason: "Path does not start with /" };
  }
  if (urlPath.includes("\\")) {
    return { kind: "bad-request", reason: "Path holds a backslash" };
  }
  const segments: string[] = [];
  for (const seg of urlPath.split("/")) {
    if (seg === "") continue;
    if (seg === "." || seg === "..") {
      return { kind: "bad-request", reason: "Path holds a dot segment" };
    }
    if (seg.charCodeAt(0) === 46 /* . */ && !options.dotfiles) {
      return { kind: "not-found" };
    }
    segments.push(seg);
  }
  const trailingSlash = urlPath.endsWith("/");
  const base = root.endsWith("/") ? root.slice(0, -1) : root;
  const fsPath = segments.length === 0 ? root : `${base}/${segments.join("/")}`;
  const info = statOrNull(fsPath);
  if (info === "forbidden") return { kind: "forbidden" };
  if (info !== null) {
    if (!confined(root, fsPath)) return { kind: "forbidden" };
    const canonical = "/" + segments.join("/");
    if (info.isDirectory) {
      if (!trailingSlash) {
        // Built from the cleaned segments, so it can never start with "//".
        return {
          kind: "redirect",
          location: encodePath(canonical === "/" ? "/" : canonical + "/"),
        };
      }
      return {
        kind: "directory",
        fsPath,
        urlPath: canonical === "/" ? "/" : canonical + "/",
        info,
      };
    }
    if (!info.isFile) return { kind: "forbidden" };
    if (trailingSlash) return { kind: "not-found" };
    if (isExecutable(info)) {
      return { kind: "cgi", fsPath, info, scriptName: canonical, pathInfo: "" };
    }
    return { kind: "file", fsPath, info };
  }
  // Not there as a whole: an executable prefix makes the rest PATH_INFO.
  for (let i = 1; i < segments.length; i++) {
    const prefix = `${base}/${segments.slice(0, i).join("/")}`;
    const st = statOrNull(prefix);
    if (st === null) return { kind: "not-found" };
    if (st === "forbidden") return { kind: "forbidden" };
    if (st.isDirectory) continue;
    if (!st.isFile || !isExecutable(st)) return { kind: "not-found" };
    if (!confined(root, prefix)) return { kind: "forbidden" };
    const rest = "/" + segments.slice(i).join("/") + (trailingSlash ? "/" : "");
    return {
      kind: "cgi",
      fsPath: prefix,
      info: st,
      scriptName: "/" + segments.slice(0, i).join("/"),
      pathInfo: rest,
    };
  }
  return { kind: "not-found" };
}
