import assert from "node:assert/strict";
import { StudyError } from "../experiments/errors.ts";
import {
  cpuBusyPercent,
  cpuModelFrom,
  cpuTimesFrom,
  machineFacts,
  memGibFrom,
} from "../experiments/machine.ts";
import {
  CGI_BODY,
  checkFreeSpace,
  makeDocroot,
  requiredBytes,
} from "../experiments/make_files.ts";
import { FULL_PROFILE, QUICK_PROFILE } from "../experiments/plan.ts";

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

Deno.test("machine facts come from /proc text", () => {
  assert.equal(
    cpuModelFrom("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\n"),
    "Intel(R) Xeon(R) Processor",
  );
  assert.equal(cpuModelFrom(""), "unknown");
  assert.equal(
    memGibFrom("MemTotal:       24634432 kB\nMemFree: 1 kB\n"),
    23.5,
  );
  assert.equal(memGibFrom("nothing"), 0);
  // user nice system idle iowait irq softirq steal
  assert.deepEqual(
    cpuTimesFrom("cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 1 2 3 4\n"),
    { busy: 160, total: 980 },
  );
  assert.equal(cpuTimesFrom("no cpu line"), null);
  const facts = machineFacts();
  assert.ok(facts.cores >= 1);
  assert.equal(facts.denoVersion, Deno.version.deno);
});

Deno.test("cpuBusyPercent measures a share between 0 and 100", async () => {
  const busy = await cpuBusyPercent(50);
  assert.ok(busy >= 0 && busy <= 100, `busy ${busy}`);
});
