import assert from "node:assert/strict";
import {
  contentEntityTag,
  isWeakTag,
  lastModifiedOf,
  makeEntityTag,
} from "../lib/http/validators.ts";

const LAST_MODIFIED = Date.UTC(2024, 0, 2, 3, 4, 5);
const NOW = Date.UTC(2025, 5, 1);
const encoder = new TextEncoder();

Deno.test("makeEntityTag changes with size, mtime and inode", () => {
  const base = { size: 1024, mtimeMs: LAST_MODIFIED, ino: 161 };
  const tag = makeEntityTag(base, false);
  assert.match(tag, /^"[0-9a-f-]+"$/);
  assert.equal(isWeakTag(tag), false);
  assert.notEqual(makeEntityTag({ ...base, size: 1025 }, false), tag);
  assert.notEqual(
    makeEntityTag({ ...base, mtimeMs: base.mtimeMs + 1 }, false),
    tag,
  );
  assert.notEqual(makeEntityTag({ ...base, ino: 162 }, false), tag);
  assert.equal(makeEntityTag(base, true), `W/${tag}`);
  assert.equal(isWeakTag(makeEntityTag(base, true)), true);
});

Deno.test("makeEntityTag keeps a derived variant apart from the file", () => {
  const id = { size: 0x400, mtimeMs: 0x18cc7b5c4e8, ino: 0xa1 };
  assert.equal(makeEntityTag(id, false), '"a1-400-18cc7b5c4e8"');
  assert.equal(makeEntityTag(id, false, "t2"), '"t2-a1-400-18cc7b5c4e8"');
  assert.notEqual(
    makeEntityTag(id, false, "t2"),
    makeEntityTag(id, false, "t2i"),
  );
  assert.equal(makeEntityTag(id, true, "t2"), 'W/"t2-a1-400-18cc7b5c4e8"');
});

Deno.test("contentEntityTag is strong, stable and follows every byte", () => {
  const body = encoder.encode("<!DOCTYPE html><title>Index of /</title>");
  const tag = contentEntityTag(body);
  assert.match(tag, /^"[0-9a-f]+-[0-9a-f]{9,16}"$/);
  assert.equal(isWeakTag(tag), false);
  assert.equal(contentEntityTag(body.slice()), tag);
  assert.ok(tag.startsWith(`"${body.length.toString(16)}-`));
  const seen = new Set([tag]);
  for (let i = 0; i < body.length; i++) {
    const changed = body.slice();
    changed[i]! ^= 1;
    seen.add(contentEntityTag(changed));
  }
  assert.equal(seen.size, body.length + 1, "a one-bit change kept the tag");
  assert.notEqual(contentEntityTag(new Uint8Array(0)), tag);
});

Deno.test("lastModifiedOf gives whole seconds, never after now", () => {
  assert.equal(lastModifiedOf(LAST_MODIFIED + 678, NOW), LAST_MODIFIED);
  assert.equal(lastModifiedOf(LAST_MODIFIED, NOW), LAST_MODIFIED);
  assert.equal(lastModifiedOf(NOW + 60_000, NOW), NOW);
  assert.equal(lastModifiedOf(NOW + 60_000, NOW + 1500), NOW + 1000);
  assert.equal(lastModifiedOf(0, NOW), 0);
});

Deno.test("lastModifiedOf has no date for unknown or absurd times", () => {
  for (const bad of [null, -1, -1e20, NaN]) {
    assert.equal(lastModifiedOf(bad, NOW), null, String(bad));
  }
});
