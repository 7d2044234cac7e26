/**
 * Where uploads are allowed: the whole tree (`--upload`) or the folders
 * under the URL path prefixes of `--upload-dir`, and the body limit that
 * follows for a request.
 *
 * @module
 */

import type { ServerConfig } from "../core/config.ts";

/** The normal form of an upload folder: `/a/b/` (decoded, slashes once). */
export function normalizeUploadDir(dir: string): string {
  const segments = dir.split("/").filter((s) => s !== "");
  return segments.length === 0 ? "/" : `/${segments.join("/")}/`;
}

/** Which folders take uploads, from the server's config. */
export class UploadPolicy {
  #prefixes: readonly string[];

  /** The policy of `config.uploadDirs` (URL path prefixes; "/" for all). */
  constructor(dirs: readonly string[]) {
    this.#prefixes = dirs.map(normalizeUploadDir);
  }

  /** True when no folder takes uploads. */
  get off(): boolean {
    return this.#prefixes.length === 0;
  }

  /** True when the folder at `urlPath` (ending in `/`) takes uploads. */
  allowsFolder(urlPath: string): boolean {
    const dir = urlPath.endsWith("/") ? urlPath : `${urlPath}/`;
    return this.#prefixes.some((p) => dir.startsWith(p));
  }

  /**
   * True when the folder whose checked real path is `realPath` takes
   * uploads by where it really is under `root` (its real path): a folder
   * reached through a symlink must be allowed there too, or a link inside
   * an upload folder would lead writes anywhere in the tree.
   */
  allowsRealFolder(root: string, realPath: string): boolean {
    const base = root.endsWith("/") ? root.slice(0, -1) : root;
    if (realPath !== root && !realPath.startsWith(`${base}/`)) return false;
    return this.allowsFolder(realPath.slice(base.length) || "/");
  }

  /** True when `method` on `path` is an upload this policy may take. */
  isUpload(method: string, path: string): boolean {
    if (method === "PUT") {
      return !path.endsWith("/") &&
        this.allowsFolder(path.slice(0, path.lastIndexOf("/") + 1));
    }
    return method === "POST" && path.endsWith("/") && this.allowsFolder(path);
  }
}

/**
 * The largest body a request may send, by its URL: `--max-upload` for an
 * upload to a folder that `policy` allows, `--max-body` for anything else
 * (the handler lowers it for what turns out to be no upload, a script).
 */
export function bodyLimitOf(
  policy: UploadPolicy,
  config: ServerConfig,
): ((method: string, path: string) => number) | undefined {
  if (policy.off) return undefined;
  return (method, path) =>
    policy.isUpload(method, path) ? config.maxUploadBytes : config.maxBodyBytes;
}
