import assert from "node:assert/strict";
import { canPin } from "../experiments/measure/cpu_pinning.ts";
import {
  lighttpdConfig,
  nginxConfig,
  nginxReplyConfig,
} from "../experiments/measure/peer_configs.ts";
import { REPO_DIR } from "./helpers/spidey_process.ts";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function benchCli(args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      `${REPO_DIR}/deno.json`,
      `${REPO_DIR}/experiments/measure/bench_cli.ts`,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

Deno.test("bench_cli writes the study's peer configs into the state folder and prints their paths", async () => {
  const work = Deno.makeTempDirSync({ prefix: "experiments-bench-cli-" });
  try {
    const stateDir = `${work}/nginx`;
    const served = await benchCli([
      "nginx",
      "--state-dir",
      stateDir,
      "--port",
      "8123",
      "--docroot",
      "/srv/root",
      "--workers",
      "2",
    ]);
    assert.equal(served.code, 0, served.stderr);
    assert.equal(served.stdout, `${stateDir}/nginx.conf\n`);
    assert.equal(
      Deno.readTextFileSync(`${stateDir}/nginx.conf`),
      nginxConfig({ port: 8123, docroot: "/srv/root", stateDir }, 2),
    );

    const reply = await benchCli([
      "nginx",
      "--state-dir",
      stateDir,
      "--port",
      "8124",
      "--reply",
      "hello from nginx",
    ]);
    assert.equal(reply.code, 0, reply.stderr);
    assert.equal(
      Deno.readTextFileSync(`${stateDir}/nginx.conf`),
      nginxReplyConfig({ port: 8124, stateDir }, "hello from nginx\n"),
    );

    const lighttpdDir = `${work}/lighttpd`;
    const lighttpd = await benchCli([
      "lighttpd",
      "--state-dir",
      lighttpdDir,
      "--port",
      "8125",
      "--docroot",
      "/srv/root",
    ]);
    assert.equal(lighttpd.code, 0, lighttpd.stderr);
    assert.equal(lighttpd.stdout, `${lighttpdDir}/lighttpd.conf\n`);
    assert.equal(
      Deno.readTextFileSync(`${lighttpdDir}/lighttpd.conf`),
      lighttpdConfig({
        port: 8125,
        docroot: "/srv/root",
        stateDir: lighttpdDir,
      }),
    );
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
});

Deno.test("bench_cli can-pin gives the study's own answer", async () => {
  const result = await benchCli(["can-pin"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, (await canPin()) ? "yes\n" : "no\n");
});

Deno.test("bench_cli rejects a wrong command line with one line and status 2", async () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /Missing command nginx, lighttpd or can-pin/],
    [["nginx", "--port", "80"], /Missing --state-dir DIR/],
    [["lighttpd", "--state-dir", "/x", "--port", "0"], /--port needs a/],
    [["lighttpd", "--state-dir", "/x", "--port", "80"], /Missing --docroot/],
    [
      ["nginx", "--state-dir", "/x", "--port", "80", "--reply", "a$b"],
      /must not contain \$/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await benchCli(args);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, /^bench_cli: error: [^\n]*\n$/);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, "");
  }
});
