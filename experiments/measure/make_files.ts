/**
 * Makes the study's docroot in a temporary folder (never committed): the
 * small, medium and large static files, a directory to list and a tiny
 * CGI script. The large file is sparse, so 1 GiB costs no disk writes,
 * but the free space is still checked first so that a filesystem without
 * sparse files fails with a clear message instead of a full disk.
 *
 * @module
 */

import { StudyError } from "../data/errors.ts";
import type { Profile } from "./plan.ts";

/** Space kept free beyond the files themselves. */
const DISK_MARGIN_BYTES = 64 * 1024 * 1024;
const RANDOM_CHUNK = 65536;

/** The body the CGI script prints, so a test can recognise it. */
export const CGI_BODY = "hello from a CGI script";

/** The study's CGI script: a POSIX shell printing a tiny text page. */
export const CGI_SCRIPT = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n${CGI_BODY}\\n'
`;

/** Bytes the docroot of `profile` may need on disk. */
export function requiredBytes(profile: Profile): number {
  const { small, medium, large } = profile.sizes;
  return small + medium + large + DISK_MARGIN_BYTES;
}

/** Free bytes on the filesystem holding `dir`, from `df -Pk`. */
export async function freeBytes(dir: string): Promise<number> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("df", {
      args: ["-Pk", dir],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch {
    throw new StudyError(
      "TOOL_MISSING",
      "df is not installed, so free disk space cannot be checked",
    );
  }
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const available = Number(lines[1]?.trim().split(/\s+/)[3]);
  if (!output.success || !Number.isFinite(available)) {
    throw new StudyError(
      "NO_DISK_SPACE",
      `Cannot tell the free disk space of ${dir}`,
    );
  }
  return available * 1024;
}

/** Throws `NO_DISK_SPACE` unless `dir`'s filesystem has `needed` bytes free. */
export async function checkFreeSpace(
  dir: string,
  needed: number,
): Promise<void> {
  const free = await freeBytes(dir);
  if (free < needed) {
    const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`;
    throw new StudyError(
      "NO_DISK_SPACE",
      `The test files need ${mb(needed)} free in ${dir} but only ${
        mb(free)
      } are available`,
    );
  }
}

function writeRandomFile(path: string, size: number): void {
  const data = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += RANDOM_CHUNK) {
    crypto.getRandomValues(
      data.subarray(offset, Math.min(size, offset + RANDOM_CHUNK)),
    );
  }
  Deno.writeFileSync(path, data);
}

function writeSparseFile(path: string, size: number): void {
  using file = Deno.openSync(path, {
    write: true,
    create: true,
    truncate: true,
  });
  file.truncateSync(size);
}

/**
 * Fills `dir` (created if needed) with the docroot of `profile`:
 * `small.bin`, `medium.bin`, `large.bin`, `list/` and `hello.cgi`.
 */
export async function makeDocroot(
  dir: string,
  profile: Profile,
): Promise<void> {
  Deno.mkdirSync(dir, { recursive: true });
  await checkFreeSpace(dir, requiredBytes(profile));
  writeRandomFile(`${dir}/small.bin`, profile.sizes.small);
  writeRandomFile(`${dir}/medium.bin`, profile.sizes.medium);
  writeSparseFile(`${dir}/large.bin`, profile.sizes.large);
  const list = `${dir}/list`;
  Deno.mkdirSync(list, { recursive: true });
  for (let i = 1; i <= profile.listingFiles; i++) {
    const name = `file-${String(i).padStart(3, "0")}.txt`;
    Deno.writeTextFileSync(`${list}/${name}`, "x".repeat(i * 100));
  }
  for (let i = 1; i <= profile.listingDirs; i++) {
    Deno.mkdirSync(`${list}/dir-${String(i).padStart(3, "0")}`, {
      recursive: true,
    });
  }
  Deno.writeTextFileSync(`${dir}/hello.cgi`, CGI_SCRIPT);
  Deno.chmodSync(`${dir}/hello.cgi`, 0o755);
}
