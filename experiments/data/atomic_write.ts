/**
 * Writing files so that a reader never sees half of one: the study's
 * CSV, charts and report are written next to their final name and
 * renamed into place, which is atomic on one filesystem.
 *
 * @module
 */

/** Writes `text` to `path` through a sibling temporary file and a rename. */
export function writeFileAtomically(path: string, text: string): void {
  const temp = `${path}.tmp-${Deno.pid}`;
  try {
    Deno.writeTextFileSync(temp, text);
    Deno.renameSync(temp, path);
  } catch (err) {
    try {
      Deno.removeSync(temp);
    } catch {
      // Nothing was written, or it is gone already.
    }
    throw err;
  }
}
