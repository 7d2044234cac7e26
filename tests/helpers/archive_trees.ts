/**
 * Helpers for the archive tests: in-memory trees as archive entries,
 * writing a stream to a file, and reading back what `tar` or `unzip`
 * extracted.
 *
 * @module
 */

import type { ArchiveEntry } from "../../lib/server/archive/entry.ts";

/** Files by path (folders implied), as archive entries in order. */
export async function* entriesOf(
  files: Record<string, Uint8Array>,
): AsyncGenerator<ArchiveEntry> {
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      yield {
        path: dir,
        kind: "directory",
        size: 0,
        mtimeMs: 1.7e12,
        mode: 0o755,
      };
    }
    const data = files[path]!;
    yield {
      path,
      kind: "file",
      size: data.length,
      mtimeMs: 1.7e12,
      mode: 0o644,
      // Served in uneven pieces, as a file read would.
      content: async function* () {
        for (let at = 0; at < data.length; at += 1000) {
          yield data.subarray(at, at + 1000);
        }
      },
    };
  }
}

/** Writes every piece of `stream` to `path`. */
export async function writeStream(
  path: string,
  stream: AsyncIterable<Uint8Array>,
): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true });
  for await (const piece of stream) {
    let off = 0;
    while (off < piece.length) off += await file.write(piece.subarray(off));
  }
}

/** Every regular file under `dir`, by path relative to it. */
export async function readTree(
  dir: string,
  prefix = "",
): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix + e.name;
    if (e.isDirectory) {
      Object.assign(out, await readTree(`${dir}/${e.name}`, `${rel}/`));
    } else out[rel] = await Deno.readFile(`${dir}/${e.name}`);
  }
  return out;
}

/** Runs `cmd` with `args`; its output, or throws with its stderr. */
export async function run(
  cmd: string,
  args: string[],
  cwd?: string,
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} failed: ${new TextDecoder().decode(out.stderr)}${text}`,
    );
  }
  return text;
}

/** Some bytes of every value, seeded. */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}
