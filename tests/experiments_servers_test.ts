import assert from "node:assert/strict";
import { canPin } from "../experiments/measure/cpu_pinning.ts";
import { StudyError } from "../experiments/data/errors.ts";
import { CGI_BODY, makeDocroot } from "../experiments/measure/make_files.ts";
import { CONFIGS } from "../experiments/measure/configs.ts";
import {
  type Point,
  QUICK_PROFILE,
  workloadFor,
} from "../experiments/measure/plan.ts";
import { runThor } from "../experiments/measure/run_point.ts";
import { startServer } from "../experiments/measure/servers.ts";
import { REPO_DIR } from "./helpers/spidey_process.ts";

function installed(program: string): boolean {
  try {
    return new Deno.Command(program, {
      args: ["-v"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

async function withWorkDir(
  fn: (work: string, docroot: string) => Promise<void>,
): Promise<void> {
  const work = Deno.makeTempDirSync({ prefix: "experiments-servers-" });
  Deno.chmodSync(work, 0o755);
  try {
    await makeDocroot(`${work}/docroot`, QUICK_PROFILE);
    await fn(work, `${work}/docroot`);
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}

async function get(
  port: number,
  path: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

Deno.test("a spidey configuration starts on a free port, serves thor and stops", async () => {
  await withWorkDir(async (work, docroot) => {
    const pin = await canPin();
    const server = await startServer(CONFIGS["spidey-concurrent"], {
      repoDir: REPO_DIR,
      docroot,
      workDir: work,
      pin,
    });
    try {
      assert.ok(server.port > 0);
      assert.ok(server.alive());
      const point: Point = {
        part: "latency",
        config: CONFIGS["spidey-concurrent"],
        workload: workloadFor(QUICK_PROFILE, "small"),
        concurrency: 2,
        repetition: 1,
        durationS: 0.3,
        requests: null,
        timeoutS: 10,
      };
      const summary = await runThor(
        { repoDir: REPO_DIR, pin, cpus: "1" },
        point,
        server.port,
      );
      assert.ok(summary.ok > 0, JSON.stringify(summary));
      assert.equal(summary.ok, summary.completed);
      assert.equal(Object.values(summary.errors).reduce((a, b) => a + b, 0), 0);
    } finally {
      await server.stop();
    }
    assert.equal(server.alive(), false);
  });
});

Deno.test("a server that cannot start is a one-line error with its own words", async () => {
  await withWorkDir(async (work) => {
    await assert.rejects(
      () =>
        startServer(CONFIGS["spidey-single"], {
          repoDir: REPO_DIR,
          docroot: `${work}/no-such-folder`,
          workDir: work,
          pin: false,
        }),
      (err: unknown) => {
        assert.ok(err instanceof StudyError);
        assert.equal(err.code, "SERVER_START_FAILED");
        assert.match(
          err.message,
          /^spidey-single did not start: .*no-such-folder/,
        );
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
  });
});

Deno.test({
  name:
    "nginx and lighttpd start with the study's configs and serve the same files",
  ignore: !installed("nginx") || !installed("lighttpd"),
  async fn() {
    await withWorkDir(async (work, docroot) => {
      const ctx = { repoDir: REPO_DIR, docroot, workDir: work, pin: false };
      for (const name of ["nginx", "lighttpd"] as const) {
        const server = await startServer(CONFIGS[name], ctx);
        try {
          const small = await get(server.port, "/small.bin");
          assert.equal(small.status, 200, name);
          const listing = await get(server.port, "/list/");
          assert.equal(listing.status, 200, name);
          assert.match(listing.body, /file-001\.txt/, name);
          if (name === "lighttpd") {
            const cgi = await get(server.port, "/hello.cgi");
            assert.equal(cgi.status, 200);
            assert.ok(cgi.body.includes(CGI_BODY));
          }
        } finally {
          await server.stop();
        }
        assert.equal(server.alive(), false, name);
      }
    });
  },
});
