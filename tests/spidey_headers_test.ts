/**
 * `spidey -H` against a real process: the header on files (cached hits
 * too), listings, error pages and CGI answers, a response's own header of
 * the same name winning; a bad `-H` stops spidey with one line.
 */

import assert from "node:assert/strict";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { shScript, tempDocroot } from "./helpers/cgi_scripts.ts";
import { denoRunArgs, serveFolder } from "./helpers/spidey_process.ts";

Deno.test("spidey -H: on files, cached hits, listings, errors and CGI", async () => {
  await using root = await tempDocroot({
    "hello.txt": "hello",
    "dir/a.txt": "a",
    "cgi-bin/own.sh": shScript(
      'printf "Content-Type: text/plain\\r\\nX-Frame-Options: SAMEORIGIN\\r\\n\\r\\nhi"\n',
    ),
  });
  await using spidey = await serveFolder(root.path, [
    "-H",
    "X-Frame-Options: DENY",
    "--header",
    "X-Test:  two words ",
    "-H",
    "Cache-Control: max-age=60",
  ]);
  const paths = ["/hello.txt", "/hello.txt", "/dir/", "/dir/", "/nope"];
  for (const path of paths) {
    const r = await rawRequest(spidey.port, get(path));
    assert.equal(r.headers.get("x-frame-options"), "DENY", path);
    assert.equal(r.headers.get("x-test"), "two words", path);
  }
  const file = await rawRequest(spidey.port, get("/hello.txt"));
  assert.equal(file.text, "hello");
  assert.equal(file.headers.get("cache-control"), "max-age=60");
  // Their own Cache-Control wins: a listing's no-cache, an error's no-store.
  const listing = await rawRequest(spidey.port, get("/dir/"));
  assert.equal(listing.headers.get("cache-control"), "no-cache");
  const missing = await rawRequest(spidey.port, get("/nope"));
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("cache-control"), "no-store");
  const notModified = await rawRequest(
    spidey.port,
    get("/hello.txt", `If-None-Match: ${file.headers.get("etag")}\r\n`),
  );
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.get("x-frame-options"), "DENY");
  // A CGI script's own header wins over -H.
  const cgi = await rawRequest(spidey.port, get("/cgi-bin/own.sh"));
  assert.equal(cgi.status, 200);
  assert.equal(cgi.headers.get("x-frame-options"), "SAMEORIGIN");
  assert.equal(cgi.headers.get("x-test"), "two words");
});

Deno.test("spidey: a bad -H is one line and exit 2", async () => {
  const cases: Array<[string, RegExp]> = [
    ["Connection: keep-alive", /Header Connection is set by spidey itself/],
    ["X-A: b\r\nX-B: c", /CR, LF/],
    ["X-A b", /is not "Name: value"/],
  ];
  const results = await Promise.all(
    cases.map(([header]) =>
      new Deno.Command(Deno.execPath(), {
        args: denoRunArgs("spidey.ts", ["-p", "0", "-H", header]),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output()
    ),
  );
  results.forEach((out, i) => {
    const stderr = new TextDecoder().decode(out.stderr).trimEnd();
    assert.equal(out.code, 2, stderr);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, cases[i]![1]);
  });
});
