/**
 * Where the applications keep their files: one data folder that must lie
 * outside the document root (or spidey would serve the guestbook file and
 * the quiz's signing key to anyone who asks).
 *
 * @module
 */

/** Where an application keeps its files. */
export interface AppContext {
  /**
   * The data folder, absolute or relative to the working directory (the
   * script's folder); it need not exist yet.
   */
  dataDir: string;
  /** `DOCUMENT_ROOT`, the real path of the document root, when known. */
  documentRoot: string | undefined;
}

/** The data folder cannot be used; details go to the server log only. */
export class DataDirError extends Error {
  /** `DATA_DIR_INSIDE_DOCROOT`, `DATA_DIR_NOT_ALLOWED` or `DATA_DIR_UNUSABLE`. */
  readonly code: string;

  /** Creates the error with a stable `code`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "DataDirError";
    this.code = code;
  }
}

function isInside(root: string, path: string): boolean {
  return path === root ||
    path.startsWith(root.endsWith("/") ? root : root + "/");
}

function unusable(ctx: AppContext, err: unknown): DataDirError {
  if (err instanceof Deno.errors.NotCapable) {
    return new DataDirError(
      "DATA_DIR_NOT_ALLOWED",
      `The data folder ${ctx.dataDir} is not in the script's --allow-read ` +
        `and --allow-write list (its first line)`,
    );
  }
  const why = err instanceof Error ? err.message : String(err);
  return new DataDirError(
    "DATA_DIR_UNUSABLE",
    `The data folder ${ctx.dataDir} cannot be used: ${why}`,
  );
}

/**
 * The path of file `name` in the data folder. With `create`, the folder
 * is made (private to spidey's user) when missing; without, null is
 * returned when it does not exist, since there is nothing to read yet.
 *
 * @throws {DataDirError} when the folder lies inside the document root or
 * cannot be made or read.
 */
export function dataFile(
  ctx: AppContext,
  name: string,
  create: boolean,
): string | null {
  let real: string;
  try {
    if (create) Deno.mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
    real = Deno.realPathSync(ctx.dataDir);
  } catch (err) {
    if (!create && err instanceof Deno.errors.NotFound) return null;
    throw unusable(ctx, err);
  }
  // Checked on every use: a symlink may have been changed since.
  if (ctx.documentRoot !== undefined && isInside(ctx.documentRoot, real)) {
    throw new DataDirError(
      "DATA_DIR_INSIDE_DOCROOT",
      `The data folder ${real} lies inside the document root ` +
        `${ctx.documentRoot}, where anyone could download it; move it out`,
    );
  }
  return `${ctx.dataDir}/${name}`;
}
