/**
 * `spidey --auth`/`--auth-file` against a real process: a 401 with its
 * challenge without (good) credentials, every kind of resource served
 * with them, CGI scripts told who logged in, and no password in the log.
 */

import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { get, rawExchange, rawRequest } from "./helpers/raw_http.ts";
import { envLines, shScript, tempDocroot } from "./helpers/cgi_scripts.ts";
import { denoRunArgs, startSpidey } from "./helpers/spidey_process.ts";

const PASSWORD = "pass-word-7";

function basic(user: string, password: string): string {
  return `Authorization: Basic ${btoa(`${user}:${password}`)}\r\n`;
}

Deno.test("spidey --auth-file: 401, then files, listings and CGI with a good login", async () => {
  await using root = await tempDocroot({
    "hello.txt": "hello",
    "dir/a.txt": "a",
    "cgi-bin/env.sh": shScript(
      'printf "Content-Type: text/plain\\r\\n\\r\\n"; env\n',
    ),
    "users.htpasswd": `ann:${bcrypt.hashSync(PASSWORD, 4)}\n`,
  });
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-b",
    "127.0.0.1",
    "-f",
    "-d",
    root.path,
    "--auth-file",
    `${root.path}/users.htpasswd`,
    "--auth-realm",
    "Staff",
  ]);
  for (const path of ["/hello.txt", "/dir/", "/cgi-bin/env.sh", "/nope"]) {
    const r = await rawRequest(spidey.port, get(path));
    assert.equal(r.status, 401, path);
    assert.equal(
      r.headers.get("www-authenticate"),
      'Basic realm="Staff", charset="UTF-8"',
    );
    assert.ok(!r.text.includes("hello"));
  }
  const wrong = await rawRequest(
    spidey.port,
    get("/hello.txt", basic("ann", "nope")),
  );
  assert.equal(wrong.status, 401);
  const unknown = await rawRequest(
    spidey.port,
    get("/hello.txt", basic("bob", PASSWORD)),
  );
  assert.equal(unknown.status, 401);
  const file = await rawRequest(
    spidey.port,
    get("/hello.txt", basic("ann", PASSWORD)),
  );
  assert.equal(file.status, 200);
  assert.equal(file.text, "hello");
  const listing = await rawRequest(
    spidey.port,
    get("/dir/", basic("ann", PASSWORD)),
  );
  assert.equal(listing.status, 200);
  assert.match(listing.text, /a\.txt/);
  const cgi = await rawRequest(
    spidey.port,
    get("/cgi-bin/env.sh", basic("ann", PASSWORD)),
  );
  assert.equal(cgi.status, 200);
  const env = envLines(cgi.text);
  assert.equal(env.get("REMOTE_USER"), "ann");
  assert.equal(env.get("AUTH_TYPE"), "Basic");
  assert.ok(!cgi.text.includes(PASSWORD), "the script never sees it");
  await spidey.waitForLog(/ ann \[.*"GET \/cgi-bin\/env\.sh HTTP\/1\.1" 200/);
  const log = spidey.stderr();
  assert.match(log, /^127\.0\.0\.1 - - \[.*"GET \/hello\.txt HTTP\/1\.1" 401/m);
  assert.match(
    log,
    /^127\.0\.0\.1 - ann \[.*"GET \/hello\.txt HTTP\/1\.1" 200/m,
  );
  assert.ok(!log.includes(PASSWORD), "no password in the log");
  assert.ok(!log.includes(btoa(`ann:${PASSWORD}`)), "nor its base64");
  assert.ok(!log.includes("without TLS"), "no warning on loopback");
});

Deno.test("spidey --auth: a login from the command line; warns off loopback", async () => {
  await using root = await tempDocroot({ "hello.txt": "hello" });
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-d",
    root.path,
    "--auth",
    "ann:pa:ss",
  ]);
  assert.match(spidey.stderr(), /Authentication without TLS on 0\.0\.0\.0/);
  const bytes = await rawExchange(
    spidey.port,
    get("/hello.txt", basic("ann", "pa:ss")),
  );
  assert.match(new TextDecoder().decode(bytes), /^HTTP\/1\.1 200 [^]*hello$/);
  const head = await rawRequest(
    spidey.port,
    "HEAD /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  );
  assert.equal(head.status, 401);
});

Deno.test("spidey: a bad password file is one line and exit 2", async () => {
  await using root = await tempDocroot({
    "pw": "# users\nann:cleartext\n",
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("spidey.ts", [
      "-p",
      "0",
      "-d",
      root.path,
      "--auth-file",
      `${root.path}/pw`,
    ]),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr).trimEnd();
  assert.equal(out.code, 2, stderr);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(
    stderr,
    /^spidey: Password file .*line 2 \(user "ann"\) has a hash spidey cannot check/,
  );
});
