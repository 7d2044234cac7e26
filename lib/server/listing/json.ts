/**
 * The JSON representation of a listing, for scripts: the directory's path
 * and its entries in the same order as the HTML page.
 *
 * @module
 */

import type { ListingEntry } from "./entries.ts";

/** One entry as JSON. */
export interface ListingEntryJson {
  /** The file name. */
  name: string;
  /** What it is. */
  type: "directory" | "file";
  /** Size in bytes; null for directories. */
  size: number | null;
  /** Modification time (ISO 8601, UTC), or null when unknown. */
  mtime: string | null;
  /** Media type of a file; null for directories. */
  mime: string | null;
}

/** The JSON document of a listing. */
export interface ListingJson {
  /** The directory's URL path (decoded, ends with `/`). */
  path: string;
  /** The entries in display order. */
  entries: ListingEntryJson[];
}

function isoOrNull(ms: number | null): string | null {
  if (ms === null) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Converts entries (already ordered) to their JSON form. */
export function listingJsonOf(
  urlPath: string,
  entries: readonly ListingEntry[],
): ListingJson {
  return {
    path: urlPath,
    entries: entries.map((e) => ({
      name: e.name,
      type: e.isDirectory ? "directory" : "file",
      size: e.isDirectory ? null : e.size,
      mtime: isoOrNull(e.mtimeMs),
      mime: e.mime,
    })),
  };
}

/** Renders the listing as a JSON text (with a final newline). */
export function renderListingJson(
  urlPath: string,
  entries: readonly ListingEntry[],
): string {
  return JSON.stringify(listingJsonOf(urlPath, entries)) + "\n";
}
