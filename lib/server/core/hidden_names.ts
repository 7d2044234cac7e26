/**
 * The names of the document root a client never sees: dotfiles unless
 * `--dotfiles`, and always the temporary files of uploads in progress
 * (half-written, and their names are no one's business).
 *
 * @module
 */

/** Prefix of the temporary files uploads are written to. */
export const TEMP_UPLOAD_PREFIX = ".spidey-upload-";

/** True when the file name `name` is hidden from URLs, listings and archives. */
export function isHiddenName(name: string, dotfiles: boolean): boolean {
  return name.charCodeAt(0) === 46 /* . */ &&
    (!dotfiles || name.startsWith(TEMP_UPLOAD_PREFIX));
}
