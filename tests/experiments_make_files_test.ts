import assert from "node:assert/strict";
import { StudyError } from "../experiments/data/errors.ts";
import {
  CGI_BODY,
  checkFreeSpace,
  makeDocroot,
  requiredBytes,
} from "../experiments/measure/make_files.ts";
import { FULL_PROFILE, QUICK_PROFILE } from "../experiments/measure/plan.ts";

Deno.test("makeDocroot writes the files, the listing and an executable CGI script", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "experiments-files-" });
  try {
    await makeDocroot(`${dir}/root`, QUICK_PROFILE);
    const size = (name: string) => Deno.statSync(`${dir}/root/${name}`).size;
    assert.equal(size("small.bin"), QUICK_PROFILE.sizes.small);
    assert.equal(size("medium.bin"), QUICK_PROFILE.sizes.medium);
    assert.equal(size("large.bin"), QUICK_PROFILE.sizes.large);
    const entries = [...Deno.readDirSync(`${dir}/root/list`)];
    assert.equal(
      entries.filter((e) => e.isFile).length,
      QUICK_PROFILE.listingFiles,
    );
    assert.equal(
      entries.filter((e) => e.isDirectory).length,
      QUICK_PROFILE.listingDirs,
    );
    const cgi = await new Deno.Command(`${dir}/root/hello.cgi`, {
      stdout: "piped",
    }).output();
    assert.ok(cgi.success);
    const text = new TextDecoder().decode(cgi.stdout);
    assert.match(text, /^Content-Type: text\/plain\r\n\r\n/);
    assert.ok(text.includes(CGI_BODY));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the large file is sparse, so it costs no disk writes", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "experiments-sparse-" });
  try {
    await makeDocroot(dir, QUICK_PROFILE);
    const info = Deno.statSync(`${dir}/large.bin`);
    assert.equal(info.size, QUICK_PROFILE.sizes.large);
    assert.ok(
      info.blocks !== null && info.blocks * 512 < info.size,
      `blocks ${info.blocks}`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("too little free disk space is a clear error before anything is written", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "experiments-disk-" });
  try {
    await assert.rejects(() => checkFreeSpace(dir, 1e18), (err: unknown) => {
      assert.ok(err instanceof StudyError);
      assert.equal(err.code, "NO_DISK_SPACE");
      assert.match(
        err.message,
        /^The test files need 1000000000000 MB free in .* but only \d+ MB are available$/,
      );
      return true;
    });
    assert.ok(requiredBytes(FULL_PROFILE) > 1024 ** 3);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
