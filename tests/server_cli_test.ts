import assert from "node:assert/strict";
import { UsageError } from "../lib/common/flags.ts";
import {
  BUNDLED_SITE,
  parseServerArgs,
  SPIDEY_HELP,
} from "../lib/server/cli.ts";
import {
  DEFAULT_CONFIG,
  type ServerConfig,
} from "../lib/server/core/config.ts";
import {
  decodeWorkerConfig,
  encodeWorkerConfig,
  workerConfig,
} from "../lib/server/workers.ts";
import { denoRunArgs, makeDocroot } from "./helpers/spidey_process.ts";

function config(args: string[]): ServerConfig {
  const cmd = parseServerArgs(args);
  assert.equal(cmd.kind, "serve");
  return (cmd as { config: ServerConfig }).config;
}

function usageError(args: string[], pattern: RegExp): void {
  assert.throws(() => parseServerArgs(args), (err: unknown) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("parseServerArgs: defaults", () => {
  assert.deepEqual(config([]), DEFAULT_CONFIG);
  assert.equal(DEFAULT_CONFIG.mode, "single");
  assert.equal(DEFAULT_CONFIG.port, 9234);
});

Deno.test("parseServerArgs: every flag, short and long", () => {
  const c = config([
    "-p",
    "8080",
    "-b",
    "[::1]",
    "-d",
    "www",
    "-v",
    "-q",
    "--dotfiles",
    "--cgi-timeout",
    "2.5",
    "--header-timeout",
    "1",
    "--idle-timeout",
    "0.5",
    "--max-body",
    "100",
  ]);
  assert.equal(c.port, 8080);
  assert.equal(c.hostname, "::1");
  assert.equal(c.docroot, "www");
  assert.equal(c.mode, "single");
  assert.equal(c.verbose, true);
  assert.equal(c.accessLog, false);
  assert.equal(c.dotfiles, true);
  assert.equal(c.cgiTimeoutMs, 2500);
  assert.equal(c.headerTimeoutMs, 1000);
  assert.equal(c.idleTimeoutMs, 500);
  assert.equal(c.maxBodyBytes, 100);
  assert.equal(config(["--concurrent"]).mode, "concurrent");
  assert.equal(config(["-f"]).mode, "concurrent");
  const w = config(["--workers", "3"]);
  assert.equal(w.workers, 3);
  assert.equal(w.mode, "concurrent", "-w implies -f");
  assert.equal(parseServerArgs(["-h"]).kind, "help");
});

Deno.test("parseServerArgs: mistakes are UsageErrors with clear messages", () => {
  usageError(["--bogus"], /Unknown option '--bogus'/);
  usageError(["-x"], /Unknown option '-x'/);
  usageError(["-p"], /argument missing/);
  usageError(["stray"], /Unexpected argument 'stray'/);
  usageError(["-p", "http"], /Port must be a whole number/);
  usageError(["-p", "65536"], /Port must be between 0 and 65535/);
  usageError(["-p", "-1"], /./);
  usageError(["-w", "0"], /Workers must be between 1 and 256/);
  usageError(["-d", ""], /Document root is empty/);
  usageError(["-b", ""], /Bind address is empty/);
  usageError(["--header-timeout", "0"], /positive number of seconds/);
  usageError(["--idle-timeout", "soon"], /positive number of seconds/);
  usageError(["--max-body", "1k"], /whole number/);
});

Deno.test("parseServerArgs: --cgi-max and --body-timeout", () => {
  const c = config(["--cgi-max", "3", "--body-timeout", "2.5"]);
  assert.equal(c.cgiMaxScripts, 3);
  assert.equal(c.bodyTimeoutMs, 2500);
  assert.equal(DEFAULT_CONFIG.bodyTimeoutMs, 60_000);
  assert.equal(
    DEFAULT_CONFIG.cgiMaxScripts,
    Math.max(2, 2 * navigator.hardwareConcurrency),
  );
  usageError(["--cgi-max", "0"], /^CGI max must be between 1 and 4096$/);
  usageError(["--cgi-max", "two"], /^CGI max must be a whole number/);
  usageError(
    ["--body-timeout", "0"],
    /^Body timeout must be a positive number of seconds$/,
  );
  assert.match(SPIDEY_HELP, /\n {6}--cgi-max N {9}CGI scripts run at once/);
  assert.match(SPIDEY_HELP, /\n {6}--body-timeout S {4}seconds a request body/);
});

Deno.test("parseServerArgs: --auth, --auth-file, --auth-realm, --cors, -H", () => {
  const c = config([
    "--auth",
    "ann:pa:ss",
    "--auth",
    "bob:x",
    "--auth-file",
    "/etc/pw",
    "--auth-realm",
    "Staff",
    "--cors",
    "https://a.example",
    "--cors",
    "http://b.example:8080",
    "-H",
    "X-Frame-Options: DENY",
    "--header",
    "Cache-Control: max-age=60",
  ]);
  assert.deepEqual(c.authUsers, ["ann:pa:ss", "bob:x"]);
  assert.equal(c.authFile, "/etc/pw");
  assert.equal(c.authRealm, "Staff");
  assert.deepEqual(c.corsOrigins, [
    "https://a.example",
    "http://b.example:8080",
  ]);
  assert.deepEqual(c.extraHeaders, [
    "X-Frame-Options: DENY",
    "Cache-Control: max-age=60",
  ]);
  // --cors without a value (last, or before a flag) allows any origin.
  assert.deepEqual(config(["--cors"]).corsOrigins, ["*"]);
  assert.deepEqual(config(["--cors", "-f"]).corsOrigins, ["*"]);
  usageError(["--cors", "*", "--cors", "https://a.example"], /every origin/);
  usageError(["--cors", "https://a.example/path"], /is not an origin/);
  usageError(["-H", "X-A: b\r\nX-B: c"], /CR, LF/);
  usageError(["-H", "Transfer-Encoding: chunked"], /set by spidey/);
  usageError(["-H", "Bad Name: x"], /is not "Name: value"/);
  usageError(["--auth", ":nouser"], /user:password/);
  usageError(["--auth-realm", "a\nb"], /printable ASCII/);
  assert.match(SPIDEY_HELP, /\n {6}--auth USER:PASS {4}require an HTTP Basic/);
  assert.match(SPIDEY_HELP, /\n {2}-H, --header 'N: V' {5}add header/);
});

Deno.test("a worker gets every config field of its parent", () => {
  // Every field differs from its default, so a field that is not carried
  // (or comes back as the default) fails; a new field must be added here.
  const sample: ServerConfig = {
    hostname: "127.0.0.1",
    port: 4321,
    docroot: '/srv/a "quoted" -dir\n',
    mode: "concurrent",
    workers: 3,
    verbose: true,
    accessLog: false,
    dotfiles: true,
    headerTimeoutMs: 1001,
    idleTimeoutMs: 2002,
    sendTimeoutMs: 3003,
    cgiTimeoutMs: 4004,
    cgiMaxScripts: 997,
    bodyTimeoutMs: 7007,
    maxHeadBytes: 5005,
    maxBodyBytes: 6006,
    tlsCertFile: "/etc/a cert.pem",
    tlsKeyFile: "/etc/a key.pem",
    tlsSelfSigned: true,
    redirectHttpPort: 8080,
    uploadDirs: ["/in/", "/drop box/"],
    uploadOverwrite: true,
    maxUploadBytes: 9009,
    archives: true,
    authUsers: ["ann:pa:ss"],
    authFile: "/etc/spidey.htpasswd",
    authRealm: "Staff only",
    corsOrigins: ["https://a.example", "http://b.example:8080"],
    extraHeaders: ["X-Frame-Options: DENY"],
    workerChild: true,
  };
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof ServerConfig)[]) {
    assert.notDeepEqual(sample[key], DEFAULT_CONFIG[key], key);
  }
  const line = encodeWorkerConfig(sample);
  assert.ok(!line.includes("\n"), "one line");
  assert.deepEqual(decodeWorkerConfig(JSON.parse(line)), sample);
});

Deno.test("a worker runs its parent's config on the probed port, as a worker", () => {
  const parent = config(["-w", "2", "-d", "/srv", "-v", "--max-body", "5"]);
  assert.deepEqual(workerConfig(parent, 4321), {
    ...parent,
    port: 4321,
    mode: "concurrent",
    workers: 0,
    workerChild: true,
  });
});

Deno.test("a worker refuses options that lack a field or have a wrong type", () => {
  const good = JSON.parse(
    encodeWorkerConfig(workerConfig(DEFAULT_CONFIG, 80)),
  );
  for (const key of Object.keys(DEFAULT_CONFIG)) {
    const missing = { ...good };
    delete missing[key];
    assert.throws(() => decodeWorkerConfig(missing), UsageError, key);
    assert.throws(
      // A list field takes a list of strings, nothing else.
      () =>
        decodeWorkerConfig({
          ...good,
          [key]: Array.isArray(good[key]) ? [1] : [],
        }),
      UsageError,
      key,
    );
  }
  assert.throws(() => decodeWorkerConfig([]), UsageError);
  assert.throws(() => decodeWorkerConfig(null), UsageError);
});

/** Runs spidey to completion with `args`. */
async function runSpidey(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("spidey.ts", args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("spidey: bad command lines print one line and exit 2", async () => {
  const root = await makeDocroot({ "f.txt": "x" });
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busyPort = String((busy.addr as Deno.NetAddr).port);
  try {
    const cases: Array<[string[], RegExp]> = [
      [["--bogus"], /^spidey: Unknown option '--bogus'.*spidey -h/],
      [["-p", "http"], /^spidey: Port must be a whole number/],
      [["-p", "70000"], /^spidey: Port must be between/],
      [
        ["-d", `${root}/missing`, "-p", "0"],
        /^spidey: Document root .* does not exist/,
      ],
      [
        ["-d", `${root}/f.txt`, "-p", "0"],
        /^spidey: Document root .* is not a directory/,
      ],
      [
        ["-d", root, "-b", "127.0.0.1", "-p", busyPort],
        /^spidey: Port \d+ on 127\.0\.0\.1 is already in use/,
      ],
      [
        ["-d", root, "-b", "127.0.0.1", "-p", busyPort, "-w", "2"],
        /^spidey: Port \d+ on 127\.0\.0\.1 is already in use/,
      ],
      [["-H", "Content-Length: 5"], /^spidey: Header Content-Length is set by/],
      [["-H", "No colon"], /^spidey: Header "No colon" is not "Name: value"/],
      [["--cors", "example.com"], /^spidey: --cors "example\.com" is not/],
      [["--auth", "nocolon"], /^spidey: --auth takes "user:password"/],
      [
        ["-d", root, "-p", "0", "--auth-file", `${root}/f.txt`],
        /^spidey: Password file .* line 1 is not "user:hash"$/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runSpidey(args)));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(lines[0]!, pattern);
      assert.ok(!/\bat .*\.ts:\d+/.test(r.stderr), "no stack trace");
    });
  } finally {
    busy.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("spidey -h prints the help and exits 0", async () => {
  const r = await runSpidey(["-h"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^spidey: serve a folder over HTTP/);
  for (
    const flag of [
      "--port",
      "--docroot",
      "--concurrent",
      "--workers",
      "--max-body",
    ]
  ) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.equal(r.stderr, "");
});

Deno.test("--bundled serves the site that ships with spidey, and excludes -d", () => {
  const cmd = parseServerArgs(["--bundled"]);
  assert.ok(cmd.kind === "serve");
  assert.equal(cmd.config.docroot, BUNDLED_SITE);
  assert.ok(Deno.statSync(`${BUNDLED_SITE}/index.html`).isFile);
  assert.throws(
    () => parseServerArgs(["--bundled", "-d", "."]),
    (err: unknown) =>
      err instanceof UsageError && /either -d or --bundled/.test(err.message),
  );
});
