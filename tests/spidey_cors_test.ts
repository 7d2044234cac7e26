/**
 * `spidey --cors` against a real process: `*` on every response, a list
 * of origins echoing the matching one with `Vary: Origin`, and preflights
 * answered with the resource's methods, before authentication.
 */

import assert from "node:assert/strict";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { shScript, tempDocroot } from "./helpers/cgi_scripts.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

function preflight(path: string, origin: string, extra = ""): string {
  return `OPTIONS ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nOrigin: ${origin}\r\nAccess-Control-Request-Method: POST\r\n${extra}\r\n`;
}

const FILES = {
  "hello.txt": "hello",
  "cgi-bin/hi.sh": shScript(
    'printf "Content-Type: text/plain\\r\\n\\r\\nhi"\n',
  ),
};

Deno.test("spidey --cors: any origin on simple requests and preflights", async () => {
  await using root = await tempDocroot(FILES);
  await using spidey = await serveFolder(root.path, ["--cors"]);
  for (let i = 0; i < 2; i++) { // the second is a cached (prepared) hit
    const r = await rawRequest(
      spidey.port,
      get("/hello.txt", "Origin: https://x.example\r\n"),
    );
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
  }
  const missing = await rawRequest(spidey.port, get("/nope"));
  assert.equal(missing.headers.get("access-control-allow-origin"), "*");
  const file = await rawRequest(
    spidey.port,
    preflight(
      "/hello.txt",
      "https://x.example",
      "Access-Control-Request-Headers: x-a, content-type\r\n",
    ),
  );
  assert.equal(file.status, 204);
  assert.equal(file.headers.get("access-control-allow-origin"), "*");
  assert.equal(
    file.headers.get("access-control-allow-methods"),
    "GET, HEAD, POST, OPTIONS",
    "one constant list: a preflight does not tell scripts from files",
  );
  assert.equal(
    file.headers.get("access-control-allow-headers"),
    "x-a, content-type",
  );
  assert.equal(file.headers.get("access-control-max-age"), "600");
  const cgi = await rawRequest(
    spidey.port,
    preflight(
      "/cgi-bin/hi.sh",
      "https://x.example",
      "Access-Control-Request-Headers: bad header\r\n",
    ),
  );
  assert.equal(cgi.status, 204);
  assert.equal(
    cgi.headers.get("access-control-allow-methods"),
    "GET, HEAD, POST, OPTIONS",
  );
  assert.equal(cgi.headers.has("access-control-allow-headers"), false);
  // Not a preflight: today's OPTIONS answer.
  const plain = await rawRequest(
    spidey.port,
    "OPTIONS /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  );
  assert.equal(plain.status, 204);
  assert.equal(plain.headers.get("allow"), "GET, HEAD, OPTIONS");
  assert.equal(plain.headers.has("access-control-allow-methods"), false);
});

Deno.test("spidey --cors ORIGIN…: the matching origin echoed, preflights before auth", async () => {
  await using root = await tempDocroot(FILES);
  await using spidey = await serveFolder(root.path, [
    "-b",
    "127.0.0.1",
    "--cors",
    "https://a.example",
    "--cors",
    "http://b.example:8080",
    "--auth",
    "ann:pw",
  ]);
  const login = `Authorization: Basic ${btoa("ann:pw")}\r\n`;
  for (const origin of ["https://a.example", "http://b.example:8080"]) {
    for (let i = 0; i < 2; i++) { // the second is a cached (prepared) hit
      const r = await rawRequest(
        spidey.port,
        get("/hello.txt", `Origin: ${origin}\r\n${login}`),
      );
      assert.equal(r.status, 200);
      assert.equal(r.text, "hello");
      assert.equal(r.headers.get("access-control-allow-origin"), origin);
      assert.equal(r.headers.get("access-control-allow-credentials"), "true");
      assert.match(r.headers.get("vary") ?? "", /(^|, )Origin$/);
    }
  }
  const other = await rawRequest(
    spidey.port,
    get("/hello.txt", `Origin: https://evil.example\r\n${login}`),
  );
  assert.equal(other.status, 200);
  assert.equal(other.headers.has("access-control-allow-origin"), false);
  assert.match(other.headers.get("vary") ?? "", /(^|, )Origin$/);
  const unauthorized = await rawRequest(
    spidey.port,
    get("/hello.txt", "Origin: https://a.example\r\n"),
  );
  assert.equal(unauthorized.status, 401);
  assert.equal(
    unauthorized.headers.get("access-control-allow-origin"),
    "https://a.example",
    "a browser may read the 401",
  );
  const pre = await rawRequest(
    spidey.port,
    preflight("/cgi-bin/hi.sh", "http://b.example:8080"),
  );
  assert.equal(pre.status, 204, "no credentials needed");
  assert.equal(
    pre.headers.get("access-control-allow-origin"),
    "http://b.example:8080",
  );
  const refused = await rawRequest(
    spidey.port,
    preflight("/cgi-bin/hi.sh", "https://evil.example"),
  );
  assert.equal(refused.status, 401, "an unlisted origin gets no preflight");
});

Deno.test("spidey --cors: preflights never resolve the path; upload folders allow PUT", async () => {
  await using root = await tempDocroot({
    ...FILES,
    "up/old.txt": "old",
  });
  await using spidey = await serveFolder(root.path, [
    "--cors",
    "--upload-dir",
    "/up/",
  ]);
  const methodsOf = async (path: string) => {
    const r = await rawRequest(
      spidey.port,
      preflight(path, "https://x.example"),
    );
    assert.equal(r.status, 204, path);
    return r.headers.get("access-control-allow-methods");
  };
  // A script, a file and a missing path get the same answer.
  for (const path of ["/cgi-bin/hi.sh", "/hello.txt", "/nope", "/cgi-bin/"]) {
    assert.equal(await methodsOf(path), "GET, HEAD, POST, OPTIONS", path);
  }
  for (const path of ["/up/", "/up/new.txt", "/up/old.txt", "/up/sub/x"]) {
    assert.equal(
      await methodsOf(path),
      "GET, HEAD, POST, PUT, OPTIONS",
      `${path}: a cross-origin PUT upload may go ahead`,
    );
  }
});
