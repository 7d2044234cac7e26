/**
 * spidey over TLS end to end: `--cert/--key` in every mode with curl,
 * `--https` making then reusing its certificate, `--redirect-http`, bad
 * files, and thor against it (`--cacert`, the hint without it, `-k`).
 */

import assert from "node:assert/strict";
import { generateLocalhostPair } from "../lib/server/tls/generate.ts";
import { buildCgiEnv } from "../lib/server/cgi/env.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import { denoRunArgs, startSpidey } from "./helpers/spidey_process.ts";

const BODY = "hello over tls\n";

async function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, {
    args,
    env,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

/** deno's own cache folder: it moves with XDG_CACHE_HOME unless pinned. */
async function denoDir(): Promise<string> {
  const info = await run(Deno.execPath(), ["info", "--json"]);
  return JSON.parse(info.stdout).denoDir as string;
}

async function fixture(): Promise<{ dir: string; cert: string; key: string }> {
  const dir = await Deno.makeTempDir({ prefix: "spidey_https_" });
  await Deno.mkdir(`${dir}/www`);
  await Deno.writeTextFile(`${dir}/www/hello.txt`, BODY);
  const pair = await generateLocalhostPair();
  await Deno.writeTextFile(`${dir}/cert.pem`, pair.cert);
  await Deno.writeTextFile(`${dir}/key.pem`, pair.key);
  return { dir, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

function curl(...args: string[]) {
  return run("curl", ["-sS", "--max-time", "10", ...args]);
}

for (const mode of [[], ["-f"], ["-w", "2"]]) {
  Deno.test(`spidey --cert/--key serves https (${mode.join(" ") || "single"})`, async () => {
    const f = await fixture();
    try {
      await using spidey = await startSpidey([
        "-p",
        "0",
        "-b",
        "127.0.0.1",
        "-q",
        "-d",
        `${f.dir}/www`,
        "--cert",
        f.cert,
        "--key",
        f.key,
        ...mode,
      ]);
      const url = `https://localhost:${spidey.port}/hello.txt`;
      const ok = await curl("--cacert", f.cert, url);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, BODY);
      // Plain curl does not trust it: the server really is TLS.
      const untrusted = await curl(url);
      assert.equal(untrusted.code, 60, untrusted.stderr);
      const plain = await curl(`http://localhost:${spidey.port}/hello.txt`);
      assert.notEqual(plain.stdout, BODY);
    } finally {
      await Deno.remove(f.dir, { recursive: true });
    }
  });
}

Deno.test("spidey --https makes its certificate once and reuses it; --redirect-http redirects", async () => {
  const f = await fixture();
  const env = { XDG_CACHE_HOME: `${f.dir}/cache`, DENO_DIR: await denoDir() };
  const fingerprintOf = (log: string) =>
    /fingerprint ([0-9A-F:]{95})/.exec(log)?.[1];
  const args = [
    "-p",
    "0",
    "-b",
    "127.0.0.1",
    "-q",
    "-d",
    `${f.dir}/www`,
    "--https",
  ];
  try {
    let first: string | undefined;
    {
      await using spidey = await startSpidey(
        [...args, "--redirect-http", "0"],
        { env },
      );
      const log = spidey.stderr();
      assert.match(
        log,
        /Made a self-signed certificate for localhost: .*\/cache\/spidey\/localhost-cert\.pem/,
      );
      first = fingerprintOf(log);
      assert.ok(first !== undefined, log);
      const cert = `${f.dir}/cache/spidey/localhost-cert.pem`;
      assert.equal(
        (await Deno.stat(`${f.dir}/cache/spidey/localhost-key.pem`)).mode! &
          0o777,
        0o600,
      );
      for (const host of ["localhost", "127.0.0.1"]) {
        const ok = await curl(
          "--cacert",
          cert,
          `https://${host}:${spidey.port}/hello.txt`,
        );
        assert.equal(ok.stdout, BODY, ok.stderr);
      }
      await spidey.waitForLog(/Redirecting http on 127\.0\.0\.1:(\d+)/);
      const redirectPort =
        /Redirecting http on 127\.0\.0\.1:(\d+)/.exec(spidey.stderr())![1];
      const get = await curl(
        "-i",
        `http://localhost:${redirectPort}/a/b.txt?x=1&y=2`,
      );
      assert.match(get.stdout, /^HTTP\/1\.1 301 /);
      assert.match(
        get.stdout,
        new RegExp(
          `\r\nLocation: https://localhost:${spidey.port}/a/b\\.txt\\?x=1&y=2\r\n`,
        ),
      );
      const post = await curl(
        "-i",
        "-X",
        "POST",
        "-d",
        "z",
        `http://127.0.0.1:${redirectPort}/form`,
      );
      assert.match(post.stdout, /^HTTP\/1\.1 308 /);
      assert.match(
        post.stdout,
        new RegExp(
          `\r\nLocation: https://127\\.0\\.0\\.1:${spidey.port}/form\r\n`,
        ),
      );
      const followed = await curl(
        "-L",
        "--cacert",
        cert,
        `http://localhost:${redirectPort}/hello.txt`,
      );
      assert.equal(followed.stdout, BODY, followed.stderr);
    }
    await using again = await startSpidey(args, { env });
    assert.match(again.stderr(), /Using the self-signed certificate /);
    assert.doesNotMatch(again.stderr(), /Made a self-signed/);
    assert.equal(fingerprintOf(again.stderr()), first);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("spidey with bad TLS files exits 2 with one line", async () => {
  const f = await fixture();
  try {
    const other = await generateLocalhostPair();
    await Deno.writeTextFile(`${f.dir}/other-key.pem`, other.key);
    const cases: [string[], RegExp][] = [
      [
        ["--cert", `${f.dir}/missing.pem`, "--key", f.key],
        /^spidey: Cannot read TLS certificate .*missing\.pem: /,
      ],
      [
        ["--cert", f.key, "--key", f.key],
        /^spidey: TLS certificate .* holds no PEM certificate$/,
      ],
      [
        ["--cert", f.cert, "--key", f.cert],
        /^spidey: TLS key .* holds no PEM private key$/,
      ],
      [
        ["--cert", f.cert, "--key", `${f.dir}/other-key.pem`],
        /^spidey: TLS certificate .* cannot be used: /,
      ],
      [["--cert", f.cert], /^spidey: --cert and --key go together\. Try/],
      [
        ["--redirect-http", "8080"],
        /^spidey: --redirect-http needs --https or --cert and --key\. Try/,
      ],
    ];
    for (const [extra, expected] of cases) {
      for (const mode of [[], ["-w", "2"]]) {
        const out = await run(
          Deno.execPath(),
          denoRunArgs("spidey.ts", [
            "-p",
            "0",
            "-b",
            "127.0.0.1",
            "-d",
            `${f.dir}/www`,
            ...mode,
            ...extra,
          ]),
        );
        assert.equal(out.code, 2, `${extra.join(" ")}: ${out.stderr}`);
        const lines = out.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, out.stderr);
        assert.match(lines[0]!, expected);
      }
    }
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("thor against https spidey: --cacert, the hint without it, -k", async () => {
  const f = await fixture();
  try {
    await using spidey = await startSpidey([
      "-p",
      "0",
      "-b",
      "127.0.0.1",
      "-q",
      "-f",
      "-d",
      `${f.dir}/www`,
      "--cert",
      f.cert,
      "--key",
      f.key,
    ]);
    const url = `https://localhost:${spidey.port}/hello.txt`;
    const thor = (...args: string[]) =>
      run(Deno.execPath(), denoRunArgs("thor.ts", [...args, "--json"]));
    const trusted = await thor("--cacert", f.cert, "-r", "20", "-c", "2", url);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.deepEqual(JSON.parse(trusted.stdout).status, { "200": 20 });
    const refused = await thor("-r", "2", url);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /invalid peer certificate: UnknownIssuer \(the server's certificate is not trusted: use --cacert FILE or -k\)/,
    );
    const sni = await thor(
      "--cacert",
      f.cert,
      "--sni",
      "localhost",
      "-r",
      "3",
      `https://127.0.0.1:${spidey.port}/hello.txt`,
    );
    assert.deepEqual(
      JSON.parse(sni.stdout).status,
      { "200": 3 },
      sni.stderr,
    );
    for (const p of ["1", "2"]) {
      const insecure = await thor("-k", "-p", p, "-r", "5", url);
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.deepEqual(JSON.parse(insecure.stdout).status, {
        "200": 5 * Number(p),
      });
    }
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("CGI scripts over TLS get HTTPS=on and REQUEST_SCHEME=https", () => {
  const req = {
    method: "GET",
    target: "/s",
    version: "HTTP/1.1",
    headers: new Map(),
    path: "/s",
    rawPath: "/s",
    query: "",
    host: "localhost",
    remoteAddr: "127.0.0.1",
    remotePort: 1,
    localPort: 2,
  } as unknown as HttpRequest;
  const script = { fsPath: "/x/s", scriptName: "/s", pathInfo: "" };
  const server = {
    root: "/x",
    port: 2,
    bindAddress: "127.0.0.1",
    searchPath: "/bin",
  };
  const tls = buildCgiEnv(req, script, { ...server, https: true }, 0);
  assert.equal(tls.HTTPS, "on");
  assert.equal(tls.REQUEST_SCHEME, "https");
  const plain = buildCgiEnv(req, script, server, 0);
  assert.equal(plain.HTTPS, undefined);
  assert.equal(plain.REQUEST_SCHEME, undefined);
});
