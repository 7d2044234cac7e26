import assert from "node:assert/strict";
import { ProtocolError } from "../lib/http/errors.ts";
import {
  newResponseFraming,
  parseResponseHead,
  type ResponseFraming,
  responseFraming,
  scanResponseHead,
} from "../lib/http/response_parse.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function scan(head: string, method = "GET"): ResponseFraming {
  const out = newResponseFraming();
  scanResponseHead(enc(head), method, out);
  return out;
}

function full(head: string, method = "GET"): ResponseFraming {
  return responseFraming(parseResponseHead(enc(head)), method);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `not a ProtocolError: ${err}`);
    return err.code;
  }
  return "accepted";
}

Deno.test("parseResponseHead reads the status line and every field", () => {
  const head = parseResponseHead(enc(
    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n" +
      "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nVary: A\r\nVary: B\r\n\r\n",
  ));
  assert.equal(head.version, "HTTP/1.1");
  assert.equal(head.status, 404);
  assert.equal(head.reason, "Not Found");
  assert.equal(head.headers.get("content-type"), "text/plain");
  assert.equal(head.headers.get("set-cookie"), "a=1\nb=2");
  assert.equal(head.headers.get("vary"), "A, B");
});

Deno.test("parseResponseHead accepts no reason, bare LF and HTTP/1.0", () => {
  const a = parseResponseHead(enc("HTTP/1.1 200\r\n\r\n"));
  assert.equal(a.status, 200);
  assert.equal(a.reason, "");
  const b = parseResponseHead(enc("HTTP/1.0 301 Moved\nLocation: /x\n\n"));
  assert.equal(b.version, "HTTP/1.0");
  assert.equal(b.headers.get("location"), "/x");
});

Deno.test("obsolete line folding becomes a space (RFC 9112 5.2)", () => {
  const head = parseResponseHead(enc(
    "HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\tthree\r\n\r\n",
  ));
  assert.equal(head.headers.get("x-long"), "one two three");
  assert.equal(
    scan("HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\n\r\n")
      .keepAlive,
    false,
  );
});

Deno.test("bad status lines and fields are protocol errors", () => {
  const cases: Array<[string, string]> = [
    ["SSH-2.0-OpenSSH\r\n\r\n", "BAD_STATUS_LINE"],
    ["HTTP/1.1 20 OK\r\n\r\n", "BAD_STATUS_LINE"],
    ["HTTP/1.1 2000 OK\r\n\r\n", "BAD_STATUS_LINE"],
    ["HTTP/1.1\t200 OK\r\n\r\n", "BAD_STATUS_LINE"],
    ["HTTP/1.1 200 O\x01K\r\n\r\n", "BAD_STATUS_LINE"],
    ["http/1.1 200 OK\r\n\r\n", "BAD_STATUS_LINE"],
    ["HTTP/2.0 200 OK\r\n\r\n", "UNSUPPORTED_VERSION"],
    ["HTTP/0.9 200 OK\r\n\r\n", "UNSUPPORTED_VERSION"],
    ["HTTP/1.1 099 Low\r\n\r\n", "BAD_STATUS"],
    ["HTTP/1.1 600 High\r\n\r\n", "BAD_STATUS"],
    ["HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "BAD_HEADER"],
    ["HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "BAD_HEADER"],
    ["HTTP/1.1 200 OK\r\nName : x\r\n\r\n", "BAD_HEADER"],
    ["HTTP/1.1 200 OK\r\n: x\r\n\r\n", "BAD_HEADER"],
    ["HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n", "BAD_HEADER"],
    ["HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "BAD_HEADER"],
    ["HTTP/1.1 200 OK\r\n folded: first\r\n\r\n", "BAD_HEADER"],
  ];
  for (const [head, code] of cases) {
    assert.equal(codeOf(() => parseResponseHead(enc(head))), code, head);
    assert.equal(
      codeOf(() => scanResponseHead(enc(head), "GET", newResponseFraming())),
      code,
      head,
    );
  }
});

Deno.test("framing follows RFC 9112 6.3", () => {
  const cl = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n";
  assert.deepEqual(scan(cl), {
    status: 200,
    body: "length",
    length: 12,
    keepAlive: true,
  });
  // Responses that end at their head, whatever they announce.
  assert.equal(scan(cl, "HEAD").body, "none");
  assert.equal(scan(cl.replace("200 OK", "204 No Content")).body, "none");
  assert.equal(scan(cl.replace("200 OK", "304 Not Modified")).body, "none");
  assert.equal(scan(cl.replace("200 OK", "100 Continue")).body, "none");
  const tunnel = scan(cl, "CONNECT");
  assert.equal(tunnel.body, "none");
  assert.equal(tunnel.keepAlive, false);
  // Transfer-Encoding wins over Content-Length, and the connection is not reused.
  const te = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n";
  assert.equal(scan(te).body, "chunked");
  assert.equal(scan(te).keepAlive, true);
  const both = scan(
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
  );
  assert.equal(both.body, "chunked");
  assert.equal(both.keepAlive, false);
  // A final coding other than chunked runs to the close.
  const gzip = scan("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
  assert.equal(gzip.body, "close");
  assert.equal(gzip.keepAlive, false);
  // No length at all: close-delimited.
  const bare = scan("HTTP/1.1 200 OK\r\n\r\n");
  assert.equal(bare.body, "close");
  assert.equal(bare.keepAlive, false);
  // Repeated equal lengths are one; different ones are an error.
  const twice =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n";
  assert.equal(scan(twice).length, 5);
  for (const bad of ["5, 6", "-1", "abc", "", "1e3", "0x10"]) {
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${bad}\r\n\r\n`;
    assert.equal(codeOf(() => scan(head)), "BAD_CONTENT_LENGTH", bad);
    assert.equal(codeOf(() => full(head)), "BAD_CONTENT_LENGTH", bad);
  }
  assert.equal(
    codeOf(() => scan("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")),
    "BAD_TRANSFER_ENCODING",
  );
});

Deno.test("connection reuse follows the version and Connection field", () => {
  const ok = (version: string, connection?: string) =>
    scan(
      `HTTP/${version} 200 OK\r\nContent-Length: 0\r\n` +
        (connection === undefined ? "" : `Connection: ${connection}\r\n`) +
        "\r\n",
    ).keepAlive;
  assert.equal(ok("1.1"), true);
  assert.equal(ok("1.1", "close"), false);
  assert.equal(ok("1.1", "Upgrade, CLOSE"), false);
  assert.equal(ok("1.1", "closed"), true);
  assert.equal(ok("1.0"), false);
  assert.equal(ok("1.0", "Keep-Alive"), true);
  assert.equal(ok("1.0", "x, keep-alive "), true);
});

Deno.test("the scanner and the full parser agree on every head", () => {
  const heads = [
    "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n",
    "HTTP/1.1 200 OK\r\ncontent-LENGTH: 7\r\nCONNECTION: Close\r\n\r\n",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n 4\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 3,\r\n 3\r\n\r\n",
    "HTTP/1.1 200 OK\r\nX-Other: \xff obs-text\r\n\r\n",
    "HTTP/1.1 200 OK\nContent-Length: 2\n\n",
    "HTTP/1.1 200 OK\r\n\r\n",
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    "HTTP/1.2 200 OK\r\nContent-Length: 1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length:\t9 \r\n\r\n",
    "HTTP/1.1 200 OK\r\nConnection-Extra: close\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX\r\n\r\n",
  ];
  const latin1Bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  for (const text of heads) {
    for (const method of ["GET", "HEAD"]) {
      const bytes = latin1Bytes(text);
      let a: unknown;
      let b: unknown;
      try {
        const out = newResponseFraming();
        scanResponseHead(bytes, method, out);
        a = out;
      } catch (err) {
        a = (err as ProtocolError).code;
      }
      try {
        b = responseFraming(parseResponseHead(bytes), method);
      } catch (err) {
        b = (err as ProtocolError).code;
      }
      assert.deepEqual(a, b, `${method} ${JSON.stringify(text)}`);
    }
  }
});

Deno.test("scanResponseHead finds the head's end in what is buffered, or says it has not arrived", () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" +
    "Connection: keep-alive\r\n\r\n";
  const bytes = enc(head + "hello" + "HTTP/1.1 204 No Content\r\n\r\n");
  const out = newResponseFraming();
  assert.equal(scanResponseHead(bytes, "GET", out), head.length);
  assert.deepEqual(out, {
    status: 200,
    body: "length",
    length: 5,
    keepAlive: true,
  });
  // Every prefix short of the blank line is "not yet", never an error.
  for (let n = 0; n < head.length; n++) {
    assert.equal(
      scanResponseHead(bytes.subarray(0, n), "GET", out),
      -1,
      `${n}`,
    );
  }
  // Bare LF endings end a head too.
  const bare = enc("HTTP/1.0 200 OK\nContent-Length: 0\n\nrest");
  assert.equal(scanResponseHead(bare, "GET", out), bare.length - 4);
  assert.equal(out.keepAlive, false);
  // A prefix that cannot start a status line is refused at once.
  assert.equal(
    codeOf(() => scanResponseHead(enc("HTTQ"), "GET", out)),
    "BAD_STATUS_LINE",
  );
});

Deno.test("scanResponseHead decodes the values every response repeats like any other", () => {
  for (
    const [value, length] of [
      ["0", 0],
      ["007", 7],
      [" \t42 ", 42],
      ["123456789012345", 123456789012345],
    ] as const
  ) {
    const out = newResponseFraming();
    scanResponseHead(
      enc(`HTTP/1.1 200 OK\r\nContent-Length:${value}\r\n\r\n`),
      "GET",
      out,
    );
    assert.equal(out.length, length, value);
  }
  for (
    const [value, keepAlive] of [
      ["close", false],
      ["Close", false],
      ["keep-alive", true],
      ["KEEP-ALIVE", true],
      ["keep-alive, close", false],
      ["closed", true],
    ] as const
  ) {
    assert.equal(
      scan(
        `HTTP/1.1 200 OK\r\nConnection: ${value}\r\nContent-Length: 0\r\n\r\n`,
      )
        .keepAlive,
      keepAlive,
      value,
    );
  }
  assert.equal(
    codeOf(() =>
      scan("HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n")
    ),
    "BAD_CONTENT_LENGTH",
  );
});
