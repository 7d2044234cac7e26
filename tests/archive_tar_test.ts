/**
 * The tar writer against the system `tar`: what it extracts is byte for
 * byte what went in, long and non-ASCII paths included (pax headers).
 */

import assert from "node:assert/strict";
import { tarHeader, tarStream } from "../lib/server/archive/tar.ts";
import {
  bytes,
  entriesOf,
  readTree,
  run,
  writeStream,
} from "./helpers/archive_trees.ts";

const LONG = `${"deep-folder-name/".repeat(12)}${"n".repeat(120)}.bin`;
const FILES: Record<string, Uint8Array> = {
  "top/a.txt": new TextEncoder().encode("hello\n"),
  "top/empty": new Uint8Array(0),
  "top/exact-block": bytes(512, 2),
  "top/sub/odd.bin": bytes(70_001, 3),
  "top/sub/été ünïcode.txt": bytes(10, 4),
  [`top/${LONG}`]: bytes(1234, 5),
};

Deno.test("tar archives extract with the system tar, byte for byte", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeStream(`${dir}/out.tar`, tarStream(entriesOf(FILES)));
    const size = (await Deno.stat(`${dir}/out.tar`)).size;
    assert.equal(size % 512, 0, "whole blocks");
    const listed = (await run("tar", ["-tf", `${dir}/out.tar`])).split("\n");
    assert.ok(listed.includes("top/sub/"), "folders are members");
    await Deno.mkdir(`${dir}/x`);
    await run("tar", ["-xf", `${dir}/out.tar`, "-C", `${dir}/x`]);
    assert.deepEqual(await readTree(`${dir}/x`), FILES);
    const info = await Deno.stat(`${dir}/x/top/a.txt`);
    assert.equal(info.mtime?.getTime(), 1.7e12);
    assert.equal((info.mode ?? 0) & 0o777, 0o644);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gzipped tar archives extract with tar -z", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gz = ReadableStream.from(tarStream(entriesOf(FILES))).pipeThrough(
      new CompressionStream("gzip") as unknown as TransformStream<
        Uint8Array,
        Uint8Array
      >,
    );
    await writeStream(`${dir}/out.tar.gz`, gz);
    await Deno.mkdir(`${dir}/x`);
    await run("tar", ["-xzf", `${dir}/out.tar.gz`, "-C", `${dir}/x`]);
    assert.deepEqual(await readTree(`${dir}/x`), FILES);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tar headers have a valid checksum and use pax only when needed", () => {
  const plain = tarHeader({
    path: "a/b.txt",
    kind: "file",
    size: 5,
    mtimeMs: 0,
    mode: 0o644,
  });
  assert.equal(plain.length, 512);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : plain[i]!;
  assert.equal(
    parseInt(new TextDecoder().decode(plain.subarray(148, 154)), 8),
    sum,
  );
  const huge = tarHeader({
    path: "big",
    kind: "file",
    size: 9 * 1024 ** 3,
    mtimeMs: 0,
    mode: 0o644,
  });
  assert.equal(huge.length, 3 * 512, "pax header, its records, the header");
  assert.match(
    new TextDecoder().decode(huge.subarray(512, 1024)),
    /size=9663676416\n/,
  );
});
