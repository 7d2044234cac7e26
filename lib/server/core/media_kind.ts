/**
 * What a listing does with a file, by its media type: decodable images get
 * a thumbnail, other images a picture icon, audio and video an inline
 * player. Also the reserved query that asks for an image's thumbnail.
 *
 * @module
 */

import { mediaTypeOf } from "../../http/media_types.ts";

/**
 * How a listing presents a file: `thumbnail` (an image spidey can shrink),
 * `picture` (an image it cannot, such as SVG or GIF), `audio` or `video`.
 */
export type MediaKind = "thumbnail" | "picture" | "audio" | "video";

/**
 * The query string (without `?`) that asks for an image's thumbnail
 * instead of the image: `/photos/cat.jpg?thumbnail`.
 */
export const THUMBNAIL_QUERY = "thumbnail";

/** Media types {@linkcode renderThumbnail} can decode. */
export const THUMBNAIL_SOURCE_TYPES: ReadonlySet<string> = new Set([
  "image/png",
  "image/jpeg",
  "image/webp",
]);

// mime-db gives ".mp4" the IANA type "application/mp4", a container that
// in practice holds video.
const PLAYABLE_CONTAINERS: Readonly<Record<string, MediaKind>> = {
  "application/mp4": "video",
};

/** The presentation of a file of media type `mime`, or null for none. */
export function mediaKindOf(mime: string | null): MediaKind | null {
  if (mime === null) return null;
  const container = PLAYABLE_CONTAINERS[mime];
  if (container !== undefined) return container;
  if (THUMBNAIL_SOURCE_TYPES.has(mime)) return "thumbnail";
  if (mime.startsWith("image/")) return "picture";
  if (mime.startsWith("audio/")) return "audio";
  if (mime.startsWith("video/")) return "video";
  return null;
}

/**
 * True when `?thumbnail` on this file answers a thumbnail (or the picture
 * icon for an image that cannot be decoded) rather than the file: any
 * file whose name says it is an image.
 */
export function isThumbnailable(fsPath: string): boolean {
  return mediaTypeOf(fsPath)?.startsWith("image/") ?? false;
}
