/**
 * The file names an upload may create: one plain name inside the target
 * folder, nothing a shell, a listing or the resolver would take for more.
 *
 * @module
 */

/** Longest name most file systems take, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;

const encoder = new TextEncoder();

/** Why an upload name was refused. */
export class UploadNameError extends Error {
  /** A stable identifier: `BAD_UPLOAD_NAME`. */
  readonly code = "BAD_UPLOAD_NAME";

  /** Creates the error; `message` says what is wrong with the name. */
  constructor(message: string) {
    super(message);
    this.name = "UploadNameError";
  }
}

/**
 * The name to store an upload under: the last segment of what the client
 * sent (browsers on Windows send whole paths, with `\`), checked to be a
 * plain, visible name.
 *
 * @throws {UploadNameError} for an empty or dot name, one with control
 * characters, a hidden one (unless `dotfiles`) or one over 255 bytes.
 */
export function sanitizeUploadName(
  sent: string,
  options: { dotfiles: boolean },
): string {
  const name = sent.slice(
    Math.max(sent.lastIndexOf("/"), sent.lastIndexOf("\\")) + 1,
  );
  if (name === "" || name === "." || name === "..") {
    throw new UploadNameError("File name is empty");
  }
  // NUL, C0 and C1 controls and DEL: no file name needs them, and they
  // confuse terminals and logs.
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f-\x9f]/.test(name)) {
    throw new UploadNameError("File name holds control characters");
  }
  if (name.startsWith(".") && !options.dotfiles) {
    throw new UploadNameError("File name starts with a dot");
  }
  if (encoder.encode(name).length > MAX_NAME_BYTES) {
    throw new UploadNameError(
      `File name is longer than ${MAX_NAME_BYTES} bytes`,
    );
  }
  return name;
}
