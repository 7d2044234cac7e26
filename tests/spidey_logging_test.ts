/**
 * spidey's stderr against real processes: one Combined Log Format line per
 * request by default, none with `-q`, and the classic debug lines with
 * `-v`; request text is escaped so a client cannot forge log lines.
 */

import assert from "node:assert/strict";
import { get, rawExchange } from "./helpers/raw_http.ts";
import {
  makeDocroot,
  serveFolder,
  startSpidey,
} from "./helpers/spidey_process.ts";

const STAMP = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]`;
const CLF =
  /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/;

function accessLines(stderr: string): RegExpExecArray[] {
  return stderr.split("\n").flatMap((line) => {
    const m = CLF.exec(line);
    return m === null ? [] : [m];
  });
}

Deno.test("spidey writes one Combined Log Format line per request", async () => {
  const root = await makeDocroot({ "hello.txt": "hello" });
  await using spidey = await serveFolder(root);
  assert.match(
    spidey.stderr(),
    new RegExp(
      `^${STAMP} Listening on 0\\.0\\.0\\.0:${spidey.port}\\.\\.\\.$`,
      "m",
    ),
  );
  await rawExchange(
    spidey.port,
    "GET /hello.txt HTTP/1.1\r\nHost: a\r\nReferer: http://ref/\r\nUser-Agent: tester/1.0\r\n\r\n" +
      "GET /missing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  );
  await rawExchange(spidey.port, "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n");
  await rawExchange(spidey.port, get("/" + "x".repeat(20_000)));
  await spidey.waitForLog(/" 414 /);
  const lines = accessLines(spidey.stderr());
  assert.equal(lines.length, 4, spidey.stderr());
  const [ok, missing, brew, long] = lines;
  assert.equal(ok![1], "GET /hello.txt HTTP/1.1");
  assert.equal(ok![2], "200");
  assert.equal(ok![3], "5");
  assert.equal(ok![4], "http://ref/");
  assert.equal(ok![5], "tester/1.0");
  assert.equal(missing![1], "GET /missing HTTP/1.1");
  assert.equal(missing![2], "404");
  assert.match(missing![3]!, /^\d+$/);
  assert.equal(missing![4], "-");
  assert.equal(missing![5], "-");
  assert.equal(brew![1], "BREW /pot HTTP/1.1");
  assert.equal(brew![2], "501");
  assert.equal(long![2], "414");
  assert.ok(long![1]!.length < 20_000, "a huge request line is cut short");
});

Deno.test("spidey logs a cached hit like any other answer", async () => {
  const root = await makeDocroot({ "old.txt": "cached" });
  // Old enough to be cached whole at once: the second GET and the HEAD
  // are answered from memory.
  await Deno.utime(`${root}/old.txt`, 1e9, 1e9);
  await using spidey = await serveFolder(root);
  await rawExchange(
    spidey.port,
    "GET /old.txt HTTP/1.1\r\nHost: a\r\n\r\n" +
      "GET /old.txt HTTP/1.1\r\nHost: a\r\nUser-Agent: again/2\r\n\r\n" +
      "HEAD /old.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  );
  await spidey.waitForLog(/"HEAD \/old\.txt/);
  const lines = accessLines(spidey.stderr());
  assert.deepEqual(
    lines.map((m) => [m[1], m[2], m[3], m[5]]),
    [
      ["GET /old.txt HTTP/1.1", "200", "6", "-"],
      ["GET /old.txt HTTP/1.1", "200", "6", "again/2"],
      ["HEAD /old.txt HTTP/1.1", "200", "-", "-"],
    ],
  );
});

Deno.test("spidey escapes request text in its log", async () => {
  const root = await makeDocroot({ "hello.txt": "hello" });
  await using spidey = await serveFolder(root, ["-v"]);
  const forged =
    '127.0.0.1 - - [01/Jan/2000:00:00:00 +0000] "GET /forged HTTP/1.1" 200 1';
  await rawExchange(
    spidey.port,
    `GET /hello.txt?q="quoted"\\x HTTP/1.1\r\nHost: a\r\nUser-Agent: evil" \xe9\r\nConnection: close\r\n\r\n`,
  );
  await rawExchange(spidey.port, `GET /a\x1b[31m HTTP/1.1\r\nHost: a\r\n\r\n`);
  await rawExchange(
    spidey.port,
    `GET /a HTTP/1.1\r\nHost: a\r\n${forged}\r\n\r\n`,
  );
  await rawExchange(spidey.port, `GET /\r${forged}\r\n\r\n`);
  const deadline = Date.now() + 10_000;
  while (spidey.stderr().split('" 400 ').length < 4 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const stderr = spidey.stderr();
  assert.ok(!stderr.includes("\x1b"), "no raw escape byte");
  assert.ok(
    !/^127\.0\.0\.1 - - \[01\/Jan\/2000/m.test(stderr),
    "no forged line",
  );
  assert.ok(
    stderr.includes(
      String.raw`"GET /hello.txt?q=\"quoted\"\\x HTTP/1.1" 200 5`,
    ),
    stderr,
  );
  // UTF-8 on the wire: each byte is shown.
  assert.ok(stderr.includes(String.raw`"evil\" \xc3\xa9"`), stderr);
  assert.ok(stderr.includes(String.raw`"GET /a\x1b[31m HTTP/1.1" 400`), stderr);
  assert.ok(stderr.includes(String.raw`"GET /\x0d127.0.0.1`), stderr);
  for (const line of stderr.trimEnd().split("\n")) {
    assert.ok(
      CLF.test(line) || new RegExp(`^${STAMP} `).test(line),
      `unexpected line: ${JSON.stringify(line)}`,
    );
  }
});

Deno.test("spidey -q writes no access log", async () => {
  const root = await makeDocroot({ "hello.txt": "hello" });
  const spidey = await serveFolder(root, ["-q"]);
  try {
    await rawExchange(spidey.port, get("/hello.txt"));
    await rawExchange(spidey.port, get("/missing"));
    await rawExchange(spidey.port, "BREW / HTTP/1.1\r\nHost: a\r\n\r\n");
  } finally {
    const status = await spidey.stop();
    assert.equal(status.code, 0);
  }
  assert.equal(accessLines(spidey.stderr()).length, 0, spidey.stderr());
  const lines = spidey.stderr().trimEnd().split("\n");
  assert.equal(lines.length, 2, spidey.stderr());
  assert.match(lines[0]!, new RegExp(`^${STAMP} Listening on `));
  assert.match(lines[1]!, new RegExp(`^${STAMP} Stopped$`));
});

Deno.test("spidey -v writes the classic debug lines", async () => {
  const root = await makeDocroot({ "hello.txt": "hello", "sub/x.txt": "x" });
  const spidey = await startSpidey(["-p", "0", "-d", root, "-v"]);
  try {
    await rawExchange(spidey.port, get("/"));
    await rawExchange(spidey.port, get("/hello.txt"));
    await rawExchange(spidey.port, get("/nope"));
    await rawExchange(spidey.port, "GET / HTTP/1.1\r\n\r\n");
    await spidey.waitForLog(/Refused: HTTP\/1\.1 request has no Host/);
  } finally {
    assert.equal((await spidey.stop("SIGINT")).code, 0);
  }
  const stderr = spidey.stderr();
  const peer = String.raw`127\.0\.0\.1:\d+`;
  for (
    const shape of [
      `^${STAMP} Listening on 0\\.0\\.0\\.0:${spidey.port}\\.\\.\\.$`,
      `^${STAMP} ${peer} \\| Parsing \\['GET', '/', 'HTTP/1\\.1'\\]$`,
      `^${STAMP} ${peer} \\| Handle Directory$`,
      `^${STAMP} ${peer} \\| Parsing \\['GET', '/hello\\.txt', 'HTTP/1\\.1'\\]$`,
      `^${STAMP} ${peer} \\| Handle File$`,
      `^${STAMP} ${peer} \\| Not found$`,
      `^${STAMP} ${peer} \\| Finish$`,
      `^${STAMP} Stopped$`,
    ]
  ) {
    assert.match(stderr, new RegExp(shape, "m"));
  }
  assert.equal(
    stderr.match(/\| Finish$/gm)?.length,
    3,
    "one Finish per answered request",
  );
  // Each request's lines share its peer prefix and come in order.
  const parsing = /(127\.0\.0\.1:\d+) \| Parsing \['GET', '\/', 'HTTP\/1\.1'\]/
    .exec(stderr)!;
  const after = stderr.slice(parsing.index);
  const own = after.split("\n").filter((l) => l.includes(`${parsing[1]} |`));
  assert.match(own[0]!, /Parsing/);
  assert.match(own[1]!, /Handle Directory/);
  assert.match(own[2]!, /Finish/);
});
