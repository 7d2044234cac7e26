/**
 * Which status a handler answers when its resolved path vanished or
 * changed under it: the pure mapping, then errors the filesystem really
 * throws.
 */

import assert from "node:assert/strict";
import { statusOfVanishedPath } from "../lib/server/core/fs_errors.ts";

Deno.test("a denied path is 403 whatever kind of entry was expected", () => {
  const denied = new Deno.errors.PermissionDenied("denied");
  assert.equal(statusOfVanishedPath(denied, "file"), 403);
  assert.equal(statusOfVanishedPath(denied, "directory"), 403);
});

Deno.test("a path that is gone is 404 whatever kind was expected", () => {
  const gone = new Deno.errors.NotFound("gone");
  assert.equal(statusOfVanishedPath(gone, "file"), 404);
  assert.equal(statusOfVanishedPath(gone, "directory"), 404);
});

Deno.test("a path that became the other kind of entry is 404", () => {
  assert.equal(
    statusOfVanishedPath(new Deno.errors.NotADirectory("x"), "directory"),
    404,
  );
  assert.equal(
    statusOfVanishedPath(new Deno.errors.IsADirectory("x"), "file"),
    404,
  );
});

Deno.test("other failures are left to the caller to rethrow", () => {
  assert.equal(
    statusOfVanishedPath(new Deno.errors.NotADirectory("x"), "file"),
    null,
  );
  assert.equal(
    statusOfVanishedPath(new Deno.errors.IsADirectory("x"), "directory"),
    null,
  );
  assert.equal(statusOfVanishedPath(new Error("EIO"), "file"), null);
  assert.equal(statusOfVanishedPath("not an error", "directory"), null);
});

Deno.test("real filesystem errors map as the handlers see them", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/file.txt`, "x");
    const caught = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      assert.fail("expected the call to throw");
    };
    // A listing whose directory was removed.
    const missing = caught(() => Deno.statSync(`${dir}/gone`));
    assert.equal(statusOfVanishedPath(missing, "directory"), 404);
    // A listing whose directory was replaced by a file.
    const notDir = caught(() => Deno.readDirSync(`${dir}/file.txt`).next());
    assert.equal(statusOfVanishedPath(notDir, "directory"), 404);
    // A thumbnail whose file was replaced by a directory.
    const isDir = caught(() => Deno.readFileSync(dir));
    assert.equal(statusOfVanishedPath(isDir, "file"), 404);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
