/**
 * How the CGI applications read a request and write a response
 * (lib/cgi_apps/cgi_request.ts, cgi_response.ts, cgi_main.ts): refused
 * requests get their status and a page, failures a 500 without details.
 */

import assert from "node:assert/strict";
import { handleCgiRequest } from "../lib/cgi_apps/cgi_main.ts";
import {
  CgiRequestError,
  MAX_FORM_BYTES,
  readCgiRequest,
} from "../lib/cgi_apps/cgi_request.ts";
import {
  scriptUrl,
  seeOther,
  serializeResponse,
} from "../lib/cgi_apps/cgi_response.ts";
import { DataDirError } from "../lib/cgi_apps/data_dir.ts";

const FORM = "application/x-www-form-urlencoded";

function envOf(vars: Record<string, string>) {
  return (name: string) => vars[name];
}

function bodyOf(text: string) {
  const bytes = new TextEncoder().encode(text);
  let offered = false;
  return (max: number) => {
    assert.ok(!offered, "the body is read once");
    offered = true;
    return bytes.subarray(0, max);
  };
}

const noBody = () => {
  throw new Error("the body must not be read");
};

Deno.test("readCgiRequest reads GET and HEAD without touching stdin", () => {
  for (const method of ["GET", "HEAD"]) {
    const req = readCgiRequest(
      envOf({
        REQUEST_METHOD: method,
        QUERY_STRING: "page=2&x=%3C",
        SCRIPT_NAME: "/cgi-bin/app",
      }),
      noBody,
    );
    assert.equal(req.method, method);
    assert.equal(req.query.get("page"), "2");
    assert.equal(req.query.get("x"), "<");
    assert.equal(req.form, null);
    assert.equal(req.scriptName, "/cgi-bin/app");
  }
});

Deno.test("readCgiRequest decodes an urlencoded POST of CONTENT_LENGTH bytes", () => {
  const req = readCgiRequest(
    envOf({
      REQUEST_METHOD: "POST",
      CONTENT_TYPE: `${FORM}; charset=UTF-8`,
      CONTENT_LENGTH: "24",
      SCRIPT_NAME: "/cgi-bin/app",
    }),
    bodyOf("name=Caf%C3%A9+au+lait&message=ignored-after-length"),
  );
  assert.equal(req.form?.get("name"), "Café au lait");
  assert.equal(req.form?.get("m"), "", "cut at CONTENT_LENGTH");
});

function refusal(vars: Record<string, string>, body = ""): CgiRequestError {
  try {
    readCgiRequest(
      envOf({ SCRIPT_NAME: "/cgi-bin/app", ...vars }),
      bodyOf(body),
    );
  } catch (err) {
    assert.ok(err instanceof CgiRequestError);
    return err;
  }
  assert.fail("accepted");
}

Deno.test("readCgiRequest refuses what it cannot handle, with a status", () => {
  const put = refusal({ REQUEST_METHOD: "PUT" });
  assert.deepEqual([put.status, put.code], [405, "METHOD_NOT_ALLOWED"]);
  const json = refusal({
    REQUEST_METHOD: "POST",
    CONTENT_TYPE: "application/json",
    CONTENT_LENGTH: "2",
  }, "{}");
  assert.deepEqual([json.status, json.code], [415, "UNSUPPORTED_MEDIA_TYPE"]);
  const lookalike = refusal({
    REQUEST_METHOD: "POST",
    CONTENT_TYPE: `${FORM}x`,
    CONTENT_LENGTH: "0",
  });
  assert.equal(lookalike.status, 415);
  const noLength = refusal({ REQUEST_METHOD: "POST", CONTENT_TYPE: FORM });
  assert.deepEqual([noLength.status, noLength.code], [411, "LENGTH_REQUIRED"]);
  const big = refusal({
    REQUEST_METHOD: "POST",
    CONTENT_TYPE: FORM,
    CONTENT_LENGTH: String(MAX_FORM_BYTES + 1),
  });
  assert.deepEqual([big.status, big.code], [413, "BODY_TOO_LARGE"]);
  const short = refusal({
    REQUEST_METHOD: "POST",
    CONTENT_TYPE: FORM,
    CONTENT_LENGTH: "10",
  }, "a=1");
  assert.deepEqual([short.status, short.code], [400, "BODY_TRUNCATED"]);
  for (const name of ["", "cgi-bin/app", "//evil.example/x", "/\\evil"]) {
    const bad = refusal({ REQUEST_METHOD: "GET", SCRIPT_NAME: name });
    assert.deepEqual([bad.status, bad.code], [500, "BAD_SCRIPT_NAME"], name);
  }
});

Deno.test("handleCgiRequest answers refusals with a page and Allow on 405", async () => {
  const res = await handleCgiRequest(
    () => assert.fail("the app must not run"),
    envOf({ REQUEST_METHOD: "DELETE", SCRIPT_NAME: "/cgi-bin/app" }),
    noBody,
    { dataDir: "/nonexistent" },
  );
  assert.equal(res.status, 405);
  assert.deepEqual(res.headers.find(([n]) => n === "Allow"), [
    "Allow",
    "GET, HEAD, POST",
  ]);
  assert.match(res.body, /DELETE is not allowed here/);
});

Deno.test("handleCgiRequest hides failures from the client and logs one line", async () => {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    const env = envOf({ REQUEST_METHOD: "GET", SCRIPT_NAME: "/cgi-bin/app" });
    const crash = await handleCgiRequest(
      () => {
        throw new Error("secret /etc/path\n  at line 2");
      },
      env,
      noBody,
      { dataDir: "/d" },
    );
    assert.equal(crash.status, 500);
    assert.doesNotMatch(crash.body, /secret|\/etc|at line/);
    assert.match(crash.body, /Something went wrong on the server/);
    const noData = await handleCgiRequest(
      () => {
        throw new DataDirError(
          "DATA_DIR_UNUSABLE",
          "The data folder /d is gone",
        );
      },
      env,
      noBody,
      { dataDir: "/d" },
    );
    assert.equal(noData.status, 500);
    assert.match(noData.body, /cannot reach its data right now/);
    assert.doesNotMatch(noData.body, /\/d is gone/);
  } finally {
    console.error = original;
  }
  assert.deepEqual(logged, [
    "/cgi-bin/app: Error: secret /etc/path at line 2",
    "/cgi-bin/app: DataDirError: The data folder /d is gone",
  ]);
});

Deno.test("serializeResponse writes a CGI header block with a Status line", () => {
  const bytes = serializeResponse({
    status: 422,
    headers: [["Content-Type", "text/html; charset=utf-8"]],
    body: "<p>é</p>",
  });
  assert.equal(
    new TextDecoder().decode(bytes),
    "Status: 422 Unprocessable Content\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>é</p>",
  );
});

Deno.test("seeOther redirects only to local paths", () => {
  const res = seeOther("/cgi-bin/app?posted=1");
  assert.equal(res.status, 303);
  assert.deepEqual(res.headers[0], ["Location", "/cgi-bin/app?posted=1"]);
  for (const bad of ["//evil.example/", "/\\evil.example", "https://x/", "x"]) {
    assert.throws(() => seeOther(bad), TypeError, bad);
  }
});

Deno.test("scriptUrl encodes path segments and the query", () => {
  assert.equal(scriptUrl("/cgi-bin/app"), "/cgi-bin/app");
  assert.equal(
    scriptUrl("/my apps/q?uiz#", { result: "01", sig: "a&b=c" }),
    "/my%20apps/q%3Fuiz%23?result=01&sig=a%26b%3Dc",
  );
});
