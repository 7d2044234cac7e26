import assert from "node:assert/strict";
import {
  buildCgiEnv,
  CGI_BASE_PATH,
  cgiSearchPath,
  type CgiServerInfo,
  headerVariableName,
} from "../lib/server/cgi/env.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import { RequestBody } from "../lib/server/core/request_body.ts";
import { SERVER_SOFTWARE } from "../lib/server/core/response_writer.ts";

const SERVER: CgiServerInfo = {
  root: "/srv/www",
  port: 8080,
  bindAddress: "0.0.0.0",
  searchPath: CGI_BASE_PATH,
};

const SCRIPT = {
  fsPath: "/srv/www/cgi-bin/env.sh",
  scriptName: "/cgi-bin/env.sh",
  pathInfo: "",
};

function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: "GET",
    target: "/cgi-bin/env.sh?a=1&b=%20",
    version: "HTTP/1.1",
    headers: new Map([["host", "example.com:8080"]]),
    path: "/cgi-bin/env.sh",
    rawPath: "/cgi-bin/env.sh",
    query: "a=1&b=%20",
    host: "example.com:8080",
    remoteAddr: "192.0.2.7",
    remotePort: 50123,
    localPort: 8080,
    body: RequestBody.none(),
    progress: () => {},
    peer: "192.0.2.7:50123",
    ...overrides,
  };
}

Deno.test("buildCgiEnv sets every RFC 3875 meta-variable from the request", () => {
  const env = buildCgiEnv(request(), SCRIPT, SERVER, 0);
  assert.deepEqual(env, {
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_SOFTWARE,
    SERVER_NAME: "example.com",
    SERVER_PORT: "8080",
    SERVER_PROTOCOL: "HTTP/1.1",
    REQUEST_METHOD: "GET",
    REQUEST_URI: "/cgi-bin/env.sh?a=1&b=%20",
    QUERY_STRING: "a=1&b=%20",
    SCRIPT_NAME: "/cgi-bin/env.sh",
    SCRIPT_FILENAME: "/srv/www/cgi-bin/env.sh",
    PATH_INFO: "",
    DOCUMENT_ROOT: "/srv/www",
    REMOTE_ADDR: "192.0.2.7",
    REMOTE_HOST: "192.0.2.7",
    REMOTE_PORT: "50123",
    PATH: CGI_BASE_PATH,
    HTTP_HOST: "example.com:8080",
  });
});

Deno.test("buildCgiEnv sets PATH_TRANSLATED only when PATH_INFO is given", () => {
  const env = buildCgiEnv(
    request(),
    { ...SCRIPT, pathInfo: "/extra/path" },
    SERVER,
    0,
  );
  assert.equal(env.PATH_INFO, "/extra/path");
  assert.equal(env.PATH_TRANSLATED, "/srv/www/extra/path");
  assert.equal(
    "PATH_TRANSLATED" in buildCgiEnv(request(), SCRIPT, SERVER, 0),
    false,
  );
});

Deno.test("buildCgiEnv gives CONTENT_LENGTH and CONTENT_TYPE for a body, not HTTP_ duplicates", () => {
  const env = buildCgiEnv(
    request({
      method: "POST",
      headers: new Map([
        ["host", "example.com"],
        ["content-type", "application/x-www-form-urlencoded"],
        ["content-length", "7"],
      ]),
    }),
    SCRIPT,
    SERVER,
    7,
  );
  assert.equal(env.CONTENT_LENGTH, "7");
  assert.equal(env.CONTENT_TYPE, "application/x-www-form-urlencoded");
  assert.equal(env.HTTP_CONTENT_LENGTH, undefined);
  assert.equal(env.HTTP_CONTENT_TYPE, undefined);
});

Deno.test("buildCgiEnv gives CONTENT_LENGTH as the decoded length of a chunked body", () => {
  const env = buildCgiEnv(
    request({
      method: "POST",
      headers: new Map([["host", "h"], ["transfer-encoding", "chunked"]]),
    }),
    SCRIPT,
    SERVER,
    12,
  );
  assert.equal(env.CONTENT_LENGTH, "12");
  assert.equal(env.HTTP_TRANSFER_ENCODING, "chunked");
});

Deno.test("buildCgiEnv leaves CONTENT_LENGTH and CONTENT_TYPE out without a body", () => {
  const env = buildCgiEnv(request(), SCRIPT, SERVER, 0);
  assert.equal("CONTENT_LENGTH" in env, false);
  assert.equal("CONTENT_TYPE" in env, false);
});

Deno.test("buildCgiEnv maps headers to HTTP_* and withholds Proxy, Authorization and odd names", () => {
  const env = buildCgiEnv(
    request({
      headers: new Map([
        ["host", "h"],
        ["user-agent", "test/1"],
        ["x-forwarded-for", "10.0.0.1"],
        ["proxy", "http://evil.example:3128"],
        ["authorization", "Basic dXNlcjpwYXNz"],
        ["proxy-authorization", "Basic dXNlcjpwYXNz"],
        ["x_foo", "spoof"],
        ["x.bar", "dot"],
      ]),
    }),
    SCRIPT,
    SERVER,
    0,
  );
  assert.equal(env.HTTP_USER_AGENT, "test/1");
  assert.equal(env.HTTP_X_FORWARDED_FOR, "10.0.0.1");
  assert.equal(env.HTTP_PROXY, undefined);
  assert.equal(env.HTTP_AUTHORIZATION, undefined);
  assert.equal(env.HTTP_PROXY_AUTHORIZATION, undefined);
  assert.equal(env.HTTP_X_FOO, undefined);
  const names = Object.keys(env).filter((k) => k.startsWith("HTTP_")).sort();
  assert.deepEqual(names, [
    "HTTP_HOST",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
  ]);
});

Deno.test("buildCgiEnv falls back to the bind address for SERVER_NAME", () => {
  const env = buildCgiEnv(request({ host: "" }), SCRIPT, SERVER, 0);
  assert.equal(env.SERVER_NAME, "0.0.0.0");
});

Deno.test("buildCgiEnv never copies the server's own environment", () => {
  Deno.env.set("SPIDEY_CGI_ENV_TEST_SECRET", "leak");
  try {
    const env = buildCgiEnv(request(), SCRIPT, SERVER, 0);
    assert.equal(Object.values(env).includes("leak"), false);
    assert.equal("SPIDEY_CGI_ENV_TEST_SECRET" in env, false);
    assert.equal("HOME" in env, false);
  } finally {
    Deno.env.delete("SPIDEY_CGI_ENV_TEST_SECRET");
  }
});

Deno.test("headerVariableName upper-cases and replaces dashes", () => {
  assert.equal(headerVariableName("accept-language"), "HTTP_ACCEPT_LANGUAGE");
  assert.equal(headerVariableName("X-Foo"), "HTTP_X_FOO");
  assert.equal(headerVariableName("X_Foo"), null);
  assert.equal(headerVariableName("Proxy"), null);
  assert.equal(headerVariableName("Authorization"), null);
});

Deno.test("cgiSearchPath adds the running deno's folder to the base PATH", () => {
  const path = cgiSearchPath();
  assert.ok(path.startsWith(CGI_BASE_PATH));
  const exec = Deno.execPath();
  const dir = exec.slice(0, exec.lastIndexOf("/"));
  assert.ok(path.split(":").includes(dir), `${dir} not in ${path}`);
});
