/**
 * Where the CGI applications keep their files (lib/cgi_apps/data_dir.ts)
 * and their signing key (lib/cgi_apps/secret_key.ts).
 */

import assert from "node:assert/strict";
import { DataDirError, dataFile } from "../lib/cgi_apps/data_dir.ts";
import { loadOrCreateKey, SecretKeyError } from "../lib/cgi_apps/secret_key.ts";

function withTempDir(fn: (dir: string) => void): void {
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("dataFile makes the folder only when asked, private to its user", () => {
  withTempDir((dir) => {
    const ctx = { dataDir: `${dir}/data`, documentRoot: `${dir}/www` };
    assert.equal(dataFile(ctx, "x.jsonl", false), null);
    assert.throws(() => Deno.statSync(`${dir}/data`));
    assert.equal(dataFile(ctx, "x.jsonl", true), `${dir}/data/x.jsonl`);
    assert.equal(Deno.statSync(`${dir}/data`).mode! & 0o777, 0o700);
    assert.equal(dataFile(ctx, "x.jsonl", false), `${dir}/data/x.jsonl`);
  });
});

Deno.test("dataFile refuses a folder inside the document root, symlinked or not", () => {
  withTempDir((dir) => {
    Deno.mkdirSync(`${dir}/www/data`, { recursive: true });
    Deno.symlinkSync(`${dir}/www/data`, `${dir}/link`);
    for (const dataDir of [`${dir}/www/data`, `${dir}/link`, `${dir}/www`]) {
      const ctx = { dataDir, documentRoot: `${dir}/www` };
      for (const create of [false, true]) {
        assert.throws(
          () => dataFile(ctx, "x", create),
          (err: unknown) =>
            err instanceof DataDirError &&
            err.code === "DATA_DIR_INSIDE_DOCROOT" &&
            err.message.includes("inside the document root"),
          dataDir,
        );
      }
    }
    // A sibling whose name merely starts like the root is outside it.
    Deno.mkdirSync(`${dir}/www-data`);
    const sibling = { dataDir: `${dir}/www-data`, documentRoot: `${dir}/www` };
    assert.equal(dataFile(sibling, "x", false), `${dir}/www-data/x`);
  });
});

Deno.test("dataFile explains a folder it cannot make", () => {
  withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/file`, "");
    const ctx = { dataDir: `${dir}/file/data`, documentRoot: undefined };
    assert.throws(
      () => dataFile(ctx, "x", true),
      (err: unknown) =>
        err instanceof DataDirError && err.code === "DATA_DIR_UNUSABLE",
    );
  });
});

Deno.test("loadOrCreateKey makes a key once and then reuses it", () => {
  withTempDir((dir) => {
    const path = `${dir}/app.key`;
    const first = loadOrCreateKey(path);
    assert.equal(first.length, 32);
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    assert.match(Deno.readTextFileSync(path), /^[0-9a-f]{64}\n$/);
    assert.deepEqual(loadOrCreateKey(path), first);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "app.key",
    ]);
    const other = loadOrCreateKey(`${dir}/other.key`);
    assert.notDeepEqual(other, first);
  });
});

Deno.test("loadOrCreateKey refuses a damaged key file instead of replacing it", () => {
  withTempDir((dir) => {
    const path = `${dir}/app.key`;
    for (const text of ["", "abc\n", "g".repeat(64)]) {
      Deno.writeTextFileSync(path, text);
      assert.throws(
        () => loadOrCreateKey(path),
        (err: unknown) =>
          err instanceof SecretKeyError && err.code === "BAD_SECRET_KEY" &&
          err.message.includes("delete it to make a new one"),
      );
      assert.equal(Deno.readTextFileSync(path), text);
    }
  });
});
