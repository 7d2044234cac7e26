import assert from "node:assert/strict";
import { InvalidUrlError, parseTargetUrl } from "../lib/thor/target_url.ts";
import { denoRunArgs } from "./helpers/spidey_process.ts";

Deno.test("every classic URL form parses", () => {
  const cases: Array<
    [string, string, string, number, string, string]
  > = [
    // input, scheme, host, port, target, Host header
    ["http://example.com", "http", "example.com", 80, "/", "example.com"],
    ["example.com", "http", "example.com", 80, "/", "example.com"],
    ["example.com/", "http", "example.com", 80, "/", "example.com"],
    ["example.com:8080/", "http", "example.com", 8080, "/", "example.com:8080"],
    ["example.com:8080", "http", "example.com", 8080, "/", "example.com:8080"],
    [
      "example.com:9234/a/b.txt",
      "http",
      "example.com",
      9234,
      "/a/b.txt",
      "example.com:9234",
    ],
    [
      "example.com/s?q=1&r=2",
      "http",
      "example.com",
      80,
      "/s?q=1&r=2",
      "example.com",
    ],
    ["example.com?q=1", "http", "example.com", 80, "/?q=1", "example.com"],
    [
      "HTTP://Example.COM/Path",
      "http",
      "example.com",
      80,
      "/Path",
      "example.com",
    ],
    ["https://example.com", "https", "example.com", 443, "/", "example.com"],
    [
      "https://example.com:8443/x",
      "https",
      "example.com",
      8443,
      "/x",
      "example.com:8443",
    ],
    ["http://example.com:80/", "http", "example.com", 80, "/", "example.com"],
    ["localhost:9234", "http", "localhost", 9234, "/", "localhost:9234"],
    ["127.0.0.1", "http", "127.0.0.1", 80, "/", "127.0.0.1"],
    ["http://[::1]:8080/", "http", "::1", 8080, "/", "[::1]:8080"],
    ["[::1]/x", "http", "::1", 80, "/x", "[::1]"],
    [
      "https://[2001:DB8::1]/",
      "https",
      "2001:db8::1",
      443,
      "/",
      "[2001:db8::1]",
    ],
    [
      "http://example.com/a#frag",
      "http",
      "example.com",
      80,
      "/a",
      "example.com",
    ],
    [
      "http://example.com/ü",
      "http",
      "example.com",
      80,
      "/%C3%BC",
      "example.com",
    ],
    [
      "bücher.example/",
      "http",
      "xn--bcher-kva.example",
      80,
      "/",
      "xn--bcher-kva.example",
    ],
  ];
  for (const [input, scheme, host, port, target, authority] of cases) {
    const url = parseTargetUrl(input);
    assert.deepEqual(
      [url.scheme, url.host, url.port, url.target, url.authority],
      [scheme, host, port, target, authority],
      input,
    );
    assert.equal(url.input, input);
  }
  assert.equal(parseTargetUrl("10.0.0.1:81").isIpLiteral, true);
  assert.equal(parseTargetUrl("[::1]").isIpLiteral, true);
  assert.equal(parseTargetUrl("localhost").isIpLiteral, false);
});

const BAD_URLS: Array<[string, string]> = [
  ["", "BAD_HOST"],
  ["ftp://example.com/", "BAD_SCHEME"],
  ["gopher://x", "BAD_SCHEME"],
  ["http:/example.com", "BAD_SCHEME"],
  ["http:example.com", "BAD_SCHEME"],
  ["http://", "BAD_HOST"],
  ["http:///path", "BAD_HOST"],
  [":8080/", "BAD_HOST"],
  ["http://:80/", "BAD_HOST"],
  ["example.com:0/", "BAD_PORT"],
  ["example.com:65536/", "BAD_PORT"],
  ["example.com:http/", "BAD_PORT"],
  ["example.com:/", "BAD_PORT"],
  ["example.com:-1/", "BAD_PORT"],
  ["example.com:123456", "BAD_PORT"],
  ["user:pw@example.com/", "BAD_HOST"],
  ["http://[::1/", "BAD_HOST"],
  ["http://[nope]/", "BAD_HOST"],
  ["http://[::1]x/", "BAD_HOST"],
  ["http://256.1.1.1/", "BAD_HOST"],
  ["http://exa mple.com/", "BAD_PATH"],
  ["http://example.com/a b", "BAD_PATH"],
  ["http://-bad-.com/", "BAD_HOST"],
  ["http://a..b/", "BAD_HOST"],
];

Deno.test("bad URLs are refused with a stable code", () => {
  for (const [input, code] of BAD_URLS) {
    assert.throws(
      () => parseTargetUrl(input),
      (err: unknown) => err instanceof InvalidUrlError && err.code === code,
      input,
    );
  }
});

Deno.test("thor answers every bad URL with one line and exit status 2", async () => {
  const inputs = [
    "ftp://example.com/",
    "example.com:99999",
    "http://",
    "http://[::1/",
  ];
  for (const input of inputs) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: denoRunArgs("thor.ts", [input]),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, input);
    assert.equal(out.stdout.length, 0);
    assert.match(stderr, /^thor: [^\n]+\n$/, input);
    assert.doesNotMatch(stderr, /\bat \S+:\d+/);
  }
});
