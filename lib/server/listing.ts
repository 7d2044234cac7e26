/**
 * Directory listings. (Placeholder: being replaced by the full listing.)
 *
 * @module
 */

import { escapeHtml } from "./html.ts";
import type { HttpRequest } from "./request.ts";
import type { ResponseWriter } from "./response_writer.ts";

/** A directory to list. */
export interface DirectoryTarget {
  /** Its path on disk. */
  fsPath: string;
  /** Its URL path, ending in `/`. */
  urlPath: string;
}

/** Options for listings. */
export interface ListingOptions {
  /** Show names starting with a dot. */
  dotfiles: boolean;
}

/** Answers `req` with a listing of `dir`. */
export async function serveDirectoryListing(
  _req: HttpRequest,
  res: ResponseWriter,
  dir: DirectoryTarget,
  options: ListingOptions,
): Promise<void> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir.fsPath)) {
    if (!options.dotfiles && e.name.startsWith(".")) continue;
    names.push(e.name);
  }
  names.sort();
  const items = names.map((n) =>
    `<li><a href="${encodeURIComponent(n)}">${escapeHtml(n)}</a></li>`
  ).join("");
  await res.send(
    200,
    [["Content-Type", "text/html; charset=utf-8"]],
    `<!DOCTYPE html><title>Index of ${
      escapeHtml(dir.urlPath)
    }</title><ul>${items}</ul>`,
  );
}
