import assert from "node:assert/strict";
import { HttpError } from "../lib/http/errors.ts";
import {
  HeaderSyntaxError,
  isToken,
  latin1,
  parseHeaderFields,
  splitHeadLines,
} from "../lib/http/header_fields.ts";
import {
  isRepeatedHead,
  isRequestLineUnfinished,
  KNOWN_METHODS,
  parseRequestHead,
  type RequestHead,
  type RequestHeadLimits,
} from "../lib/http/request_head.ts";
import { isValidHost } from "../lib/http/request_target.ts";

const encoder = new TextEncoder();

function parse(text: string) {
  return parseRequestHead(encoder.encode(text));
}

/** The request line alone, with a Host so that the head is complete. */
function parseRequestLine(
  line: string,
  limits?: RequestHeadLimits,
): RequestHead {
  return parseRequestHead(encoder.encode(`${line}\r\nHost: a\r\n\r\n`), limits);
}

function refuses(text: string, status: number, code?: string): void {
  assert.throws(() => parse(text), (err: unknown) => {
    assert.ok(err instanceof HttpError, `not an HttpError: ${err}`);
    assert.equal(err.status, status, `${JSON.stringify(text)}: ${err.code}`);
    if (code !== undefined) assert.equal(err.code, code);
    return true;
  });
}

Deno.test("parseRequestHead reads the request line and fields", () => {
  const head = parse(
    "GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept:  text/html \r\nX-Empty:\r\n\r\n",
  );
  assert.equal(head.method, "GET");
  assert.equal(head.target, "/a%20b?x=1");
  assert.equal(head.version, "HTTP/1.1");
  assert.equal(head.headers.get("host"), "example.com:8080");
  assert.equal(head.headers.get("accept"), "text/html");
  assert.equal(head.headers.get("x-empty"), "");
});

Deno.test("parseRequestHead reuses the parse of a head it just saw, and only of that head", () => {
  const text = "GET /a HTTP/1.1\r\nHost: a\r\nX-N: 1\r\n\r\n";
  const first = parse(text);
  // Equal bytes in another buffer: the same result, not parsed again.
  assert.equal(parse(text), first);
  // One byte off, at the end: a parse of its own.
  const other = parse(text.replace("X-N: 1", "X-N: 2"));
  assert.notEqual(other, first);
  assert.equal(other.headers.get("x-n"), "2");
  assert.equal(parse(text).headers.get("x-n"), "1");
  // Other limits judge the same bytes again.
  const tight = { maxTargetLength: 8192, maxHeaderCount: 1 };
  assert.throws(
    () => parseRequestHead(encoder.encode(text), tight),
    (err: unknown) => err instanceof HttpError && err.status === 431,
  );
  // A refused head is not kept: sent again, it is refused again.
  const bad = "GET /a HTTP/1.1\r\nHost: a\r\nX-N 1\r\n\r\n";
  refuses(bad, 400);
  refuses(bad, 400);
  assert.equal(parse(text).headers.get("x-n"), "1");
});

Deno.test("isRepeatedHead recognizes the last head parsed, at any offset, and nothing else", () => {
  const text = "GET /a HTTP/1.1\r\nHost: a\r\nX-N: 1\r\n\r\n";
  const head = parse(text);
  // The head's bytes at an offset of a larger buffer, with bytes around.
  const buf = encoder.encode(`junk${text}more`);
  const start = 4;
  const end = start + text.length;
  assert.ok(isRepeatedHead(head.headers, buf, start, end));
  // One byte more or less, or one byte changed (same length): no.
  assert.ok(!isRepeatedHead(head.headers, buf, start, end + 1));
  assert.ok(!isRepeatedHead(head.headers, buf, start + 1, end));
  const changed = encoder.encode(text.replace("X-N: 1", "X-N: 2"));
  assert.ok(!isRepeatedHead(head.headers, changed, 0, changed.length));
  // The right bytes, but another head's fields (a map equal in content).
  assert.ok(!isRepeatedHead(new Map(head.headers), buf, start, end));
  // Once another head was parsed, the first is not the last one any more.
  parse(text.replace("/a", "/b"));
  assert.ok(!isRepeatedHead(head.headers, buf, start, end));
  // A head parsed under other limits is never taken for a default one.
  const loose = { maxTargetLength: 8192, maxHeaderCount: 50 };
  const other = parseRequestHead(encoder.encode(text), loose);
  assert.ok(!isRepeatedHead(other.headers, buf, start, end));
});

Deno.test("parseRequestHead accepts bare LF line endings", () => {
  const head = parse("HEAD / HTTP/1.1\nHost: a\nX-A: 1\n\n");
  assert.equal(head.method, "HEAD");
  assert.equal(head.headers.get("x-a"), "1");
});

Deno.test("HTTP/1.0 needs no Host; HTTP/1.1 does", () => {
  assert.equal(parse("GET / HTTP/1.0\r\n\r\n").version, "HTTP/1.0");
  refuses("GET / HTTP/1.1\r\n\r\n", 400, "MISSING_HOST");
});

Deno.test("Host must be single and valid", () => {
  const badHosts = [
    "a\r\nHost: b",
    "a\r\nHost: a",
    "a b",
    "a/b",
    "a,b",
    "user@a",
    "a:port",
  ];
  for (const host of badHosts) {
    refuses(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 400, "BAD_HOST");
  }
  refuses("GET / HTTP/1.0\r\nHost: a b\r\n\r\n", 400, "BAD_HOST");
  for (const ok of ["a", "a:80", "127.0.0.1:9", "[::1]:80", "xn--d-ia.b", ""]) {
    assert.equal(
      parse(`GET / HTTP/1.1\r\nHost: ${ok}\r\n\r\n`).headers.get("host"),
      ok,
    );
  }
});

Deno.test("obs-fold, whitespace before the colon and bare CR get 400", () => {
  // The fields after the request line, by the code that refuses them.
  const badFields: Record<string, string[]> = {
    OBS_FOLD: ["Host: a\r\nX: 1\r\n 2", "Host: a\r\nX: 1\r\n\t2"],
    BAD_HEADER: [
      "Host : a",
      "Host\t: a",
      "NoColon",
      ": empty",
      "Host: a\r\nX: a\x00b",
      "Host: a\r\nX: a\x7fb",
    ],
    BARE_CR: ["Host: a\rX: b"],
  };
  for (const [code, fieldSets] of Object.entries(badFields)) {
    for (const fields of fieldSets) {
      refuses(`GET / HTTP/1.1\r\n${fields}\r\n\r\n`, 400, code);
    }
  }
  refuses("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "BARE_CR");
});

Deno.test("too many header fields get 431", () => {
  const fields = Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join(
    "",
  );
  refuses(
    `GET / HTTP/1.1\r\nHost: a\r\n${fields}\r\n`,
    431,
    "TOO_MANY_HEADERS",
  );
  const ok = Array.from({ length: 99 }, (_, i) => `X-${i}: v\r\n`).join("");
  assert.equal(
    parse(`GET / HTTP/1.1\r\nHost: a\r\n${ok}\r\n`).headers.size,
    100,
  );
});

Deno.test("repeated fields are joined; cookies with semicolons", () => {
  const head = parse(
    "GET / HTTP/1.1\r\nHost: a\r\nAccept: a\r\nACCEPT: b\r\nCookie: x=1\r\ncookie: y=2\r\n\r\n",
  );
  assert.equal(head.headers.get("accept"), "a, b");
  assert.equal(head.headers.get("cookie"), "x=1; y=2");
});

Deno.test("parseRequestLine: versions", () => {
  assert.equal(parseRequestLine("GET / HTTP/1.0").version, "HTTP/1.0");
  assert.equal(parseRequestLine("GET / HTTP/1.1").version, "HTTP/1.1");
  // A later 1.x minor version is answered as 1.1.
  assert.equal(parseRequestLine("GET / HTTP/1.9").version, "HTTP/1.1");
  refuses("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "VERSION_NOT_SUPPORTED");
  refuses("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505, "VERSION_NOT_SUPPORTED");
  refuses("GET / HTTP/0.9\r\n\r\n", 505);
  for (
    const bad of ["HTTP/1", "HTTP/1.10", "http/1.1", "HTTP/1.1x", "HTP/1.1"]
  ) {
    refuses(`GET / ${bad}\r\nHost: a\r\n\r\n`, 400, "BAD_VERSION");
  }
});

Deno.test("parseRequestLine: malformed lines get 400", () => {
  refuses("GET\r\n\r\n", 400, "BAD_REQUEST_LINE");
  refuses("GET /\r\n\r\n", 400, "BAD_REQUEST_LINE");
  refuses(" / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_REQUEST_LINE");
  refuses("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_TARGET");
  refuses("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
  refuses("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_TARGET");
  refuses("GET /\xe9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_TARGET");
  refuses("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_METHOD");
});

Deno.test("parseRequestLine: unknown methods get 501, known ones pass", () => {
  refuses("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501, "UNKNOWN_METHOD");
  refuses("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "UNKNOWN_METHOD");
  for (
    const m of ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE"]
  ) {
    assert.equal(parseRequestLine(`${m} / HTTP/1.1`).method, m);
  }
});

Deno.test("parseRequestLine: long targets get 414 at the limit", () => {
  const limits = { maxTargetLength: 10, maxHeaderCount: 100 };
  assert.equal(
    parseRequestLine("GET /123456789 HTTP/1.1", limits).target,
    "/123456789",
  );
  assert.throws(
    () => parseRequestLine("GET /1234567890 HTTP/1.1", limits),
    (err: unknown) => err instanceof HttpError && err.status === 414,
  );
  refuses(`GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414);
});

Deno.test("isRequestLineUnfinished tells 414 from 431 for huge heads", () => {
  assert.equal(isRequestLineUnfinished(encoder.encode("GET /aaaa")), true);
  assert.equal(
    isRequestLineUnfinished(encoder.encode("GET / HTTP/1.1\r\nX: aaa")),
    false,
  );
});

/**
 * The string-based parser spidey used before the byte parser, kept as an
 * oracle: text split into lines, regular expressions per field.
 */
function oracle(bytes: Uint8Array, limits: RequestHeadLimits): RequestHead {
  const text = latin1(bytes);
  for (let cr = text.indexOf("\r"); cr >= 0; cr = text.indexOf("\r", cr + 2)) {
    if (text.charCodeAt(cr + 1) !== 10) {
      throw new HttpError(400, "BARE_CR", "bare CR");
    }
  }
  const lines = splitHeadLines(text);
  const line = lines[0] ?? "";
  const sp1 = line.indexOf(" ");
  const sp2 = line.lastIndexOf(" ");
  if (sp1 <= 0 || sp2 === sp1) {
    throw new HttpError(400, "BAD_REQUEST_LINE", "line");
  }
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const versionText = line.slice(sp2 + 1);
  const known = KNOWN_METHODS.has(method);
  if (!known && !isToken(method)) throw new HttpError(400, "BAD_METHOD", "m");
  if (target.length > limits.maxTargetLength) {
    throw new HttpError(414, "TARGET_TOO_LONG", "long");
  }
  if (target === "" || /[^\x21-\x7e]/.test(target)) {
    throw new HttpError(400, "BAD_TARGET", "target");
  }
  const match = /^HTTP\/(\d)\.(\d)$/.exec(versionText);
  if (match === null) throw new HttpError(400, "BAD_VERSION", "version");
  if (match[1] !== "1") {
    throw new HttpError(505, "VERSION_NOT_SUPPORTED", "version");
  }
  if (!known) throw new HttpError(501, "UNKNOWN_METHOD", "method");
  const version = match[2] === "0" ? "HTTP/1.0" : "HTTP/1.1";
  let headers;
  try {
    headers = parseHeaderFields(lines, 1, limits.maxHeaderCount);
  } catch (err) {
    if (!(err instanceof HeaderSyntaxError)) throw err;
    throw new HttpError(
      err.code === "TOO_MANY_HEADERS" ? 431 : 400,
      err.code,
      "h",
    );
  }
  const host = headers.get("host");
  if (host === undefined) {
    if (version === "HTTP/1.1") throw new HttpError(400, "MISSING_HOST", "h");
  } else if (!isValidHost(host)) throw new HttpError(400, "BAD_HOST", "h");
  return { method, target, version, headers };
}

/** A parse's outcome in comparable form: the head, or the error's code. */
function outcome(parse: () => RequestHead): unknown {
  try {
    const h = parse();
    return [h.method, h.target, h.version, [...h.headers]];
  } catch (err) {
    assert.ok(err instanceof HttpError, `not an HttpError: ${err}`);
    return `${err.status} ${err.code}`;
  }
}

Deno.test("parseRequestHead agrees with the string parser it replaced, on heads and mutations of them", () => {
  const limits = { maxTargetLength: 64, maxHeaderCount: 8 };
  const heads = [
    "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    "POST /form HTTP/1.0\nContent-Length: 3\nContent-Type: text/plain\n\n",
    "HEAD / HTTP/1.1\r\nhost: A\r\nCOOKIE: a=1\r\nCookie: b=2\r\nX-Y:  v v \r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\nUser-Agent: t\xe9st\r\n\r\n",
    "PUT /x HTTP/1.9\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n",
    'DELETE /d HTTP/1.1\r\nHost: h:1\r\nIf-None-Match: "x"\r\nRange: bytes=0-1\r\n\r\n',
  ];
  const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  // Bytes a mutation writes: the ones parsers trip over, and letters.
  const interesting = [0, 9, 10, 13, 32, 34, 44, 47, 58, 64, 65, 97, 127, 200];
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (const head of heads) {
    const bytes = bytesOf(head);
    assert.deepEqual(
      outcome(() => parseRequestHead(bytes, limits)),
      outcome(() => oracle(bytes, limits)),
      JSON.stringify(head),
    );
    for (let round = 0; round < 400; round++) {
      const mutated = bytes.slice();
      for (let k = 1 + random(2); k > 0; k--) {
        mutated[random(mutated.length - 2)] =
          interesting[random(interesting.length)]!;
      }
      assert.deepEqual(
        outcome(() => parseRequestHead(mutated, limits)),
        outcome(() => oracle(mutated, limits)),
        JSON.stringify(latin1(mutated)),
      );
    }
  }
});

Deno.test("a value repeated from the previous request is the same string, and a new one is read fresh", () => {
  const first = parse("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: one\r\n\r\n");
  const again = parse("GET / HTTP/1.1\r\nHost: a\r\nuser-agent: one\r\n\r\n");
  assert.equal(again.headers.get("user-agent"), "one");
  assert.equal(first.headers.get("user-agent"), "one");
  const other = parse("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: onf\r\n\r\n");
  assert.equal(other.headers.get("user-agent"), "onf");
  const longer = parse("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: one2\r\n\r\n");
  assert.equal(longer.headers.get("user-agent"), "one2");
});

Deno.test("a bare CR anywhere in a head is named, wherever the parse stops", () => {
  const heads = [
    "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    "PROPFIND / HTTP/1.0\r\nX-Custom:  v \r\n\r\n",
    "GET / HTTP/1.1\nHost: a\n\n",
  ];
  for (const head of heads) {
    for (let i = 0; i <= head.length - 1; i++) {
      if (head[i] === "\n") continue; // a CR there would end the line
      const text = head.slice(0, i) + "\r" + head.slice(i);
      refuses(text, 400, "BARE_CR");
    }
  }
});
