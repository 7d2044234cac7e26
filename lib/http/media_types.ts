/**
 * Media types by file extension, from the `mime-db` data that Deno's
 * `@std/media-types` is built from, with the same preference for the source
 * of a type when two claim one extension (IANA over Apache over nginx).
 *
 * @module
 */

import db from "mime-db";

interface MimeEntry {
  source?: string;
  charset?: string;
  compressible?: boolean;
  extensions?: string[];
}

const SOURCE_RANK: Record<string, number> = { nginx: 0, apache: 1, iana: 3 };

/** The fallback for files of unknown type. */
export const DEFAULT_MEDIA_TYPE = "application/octet-stream";

const MEDIA_TOP_LEVEL = /^(?:audio|image|video)\//;

const byExtension = new Map<string, string>();
const rankOf = new Map<string, number>();
for (const [type, raw] of Object.entries(db as Record<string, MimeEntry>)) {
  const rank = SOURCE_RANK[raw.source ?? ""] ?? 2;
  for (const ext of raw.extensions ?? []) {
    const prior = byExtension.get(ext);
    if (prior !== undefined) {
      const priorRank = rankOf.get(ext) ?? 2;
      // As mime-types does: keep the type from the better source, and on a
      // tie keep an "application/" type, unless it is octet-stream or the
      // other names the media itself (.mp4 is video/mp4, not application/mp4).
      if (
        prior !== DEFAULT_MEDIA_TYPE &&
        (priorRank > rank ||
          (priorRank === rank && prior.startsWith("application/") &&
            !MEDIA_TOP_LEVEL.test(type)))
      ) continue;
    }
    byExtension.set(ext, type);
    rankOf.set(ext, rank);
  }
}

const charsetOf = new Map<string, string>();
for (const [type, raw] of Object.entries(db as Record<string, MimeEntry>)) {
  if (raw.charset !== undefined) charsetOf.set(type, raw.charset.toLowerCase());
}

/** The media type for a file name's extension, or `undefined`. */
export function mediaTypeOf(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf(".");
  const slash = fileName.lastIndexOf("/");
  if (dot <= slash + 1) return undefined;
  return byExtension.get(fileName.slice(dot + 1).toLowerCase());
}

/**
 * The `Content-Type` to send for a file: its media type, with
 * `charset=utf-8` for text, or `application/octet-stream` when unknown.
 */
export function contentTypeOf(fileName: string): string {
  const type = mediaTypeOf(fileName);
  if (type === undefined) return DEFAULT_MEDIA_TYPE;
  const charset = charsetOf.get(type);
  if (charset !== undefined) return `${type}; charset=${charset}`;
  if (type.startsWith("text/")) return `${type}; charset=utf-8`;
  return type;
}
