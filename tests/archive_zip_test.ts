/**
 * The zip writer against `unzip` and Python's zipfile: what they extract
 * is byte for byte what went in, with and without ZIP64 records.
 */

import assert from "node:assert/strict";
import { crc32, updateCrc32 } from "../lib/common/crc32.ts";
import { zipStream } from "../lib/server/archive/zip.ts";
import {
  bytes,
  entriesOf,
  readTree,
  run,
  writeStream,
} from "./helpers/archive_trees.ts";

const FILES: Record<string, Uint8Array> = {
  "top/a.txt": new TextEncoder().encode("hello\n"),
  "top/empty": new Uint8Array(0),
  "top/sub/odd.bin": bytes(70_001, 3),
  "top/sub/été ünïcode.txt": bytes(10, 4),
};

async function extracted(
  forceZip64: boolean,
): Promise<Record<string, Uint8Array>> {
  const dir = await Deno.makeTempDir();
  try {
    await writeStream(
      `${dir}/out.zip`,
      zipStream(entriesOf(FILES), { forceZip64 }),
    );
    await run("python3", ["-m", "zipfile", "-t", `${dir}/out.zip`]);
    await Deno.mkdir(`${dir}/x`);
    await run("unzip", ["-q", `${dir}/out.zip`, "-d", `${dir}/x`]);
    return await readTree(`${dir}/x`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("zip archives extract with unzip and pass zipfile -t", async () => {
  assert.deepEqual(await extracted(false), FILES);
});

Deno.test("zip archives with ZIP64 records extract the same", async () => {
  assert.deepEqual(await extracted(true), FILES);
});

Deno.test("crc32 matches the known check value, in one go or in pieces", () => {
  const data = new TextEncoder().encode("123456789");
  assert.equal(crc32(data), 0xcbf43926);
  assert.equal(
    updateCrc32(data.subarray(4), crc32(data.subarray(0, 4))),
    0xcbf43926,
  );
});
