/**
 * CGI/1.1 through a real spidey process running real scripts: the
 * environment, stdin, the header block, streaming, failures, stderr, HEAD,
 * HTTP/1.0 and clients that leave.
 */

import assert from "node:assert/strict";
import {
  envLines,
  processExists,
  readPid,
  readUntil,
  shScript as sh,
  tempDocroot,
  waitGone,
  writeAll,
} from "./helpers/cgi_scripts.ts";
import {
  concat,
  get,
  parseResponses,
  rawExchange,
  rawRequest,
} from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Scripts used by most tests; each is a few lines of POSIX sh. */
const SCRIPTS = {
  "cgi-bin/env.sh": sh(`printf 'Content-Type: text/plain\\r\\n\\r\\n'\nenv\n`),
  "cgi-bin/echo.sh": sh(
    `printf 'Content-Type: application/octet-stream\\n'\n` +
      `printf 'X-Got: len=%s type=%s\\n\\n' "$CONTENT_LENGTH" "$CONTENT_TYPE"\n` +
      `cat\n`,
  ),
  "cgi-bin/status.sh": sh(
    `printf 'Status: 404 Not Found\\r\\nContent-Type: text/plain\\r\\n'\n` +
      `printf 'Content-Length: 999\\r\\nX-Script: yes\\r\\n\\r\\nmissing thing'\n`,
  ),
  // Still writing well after the gather window: streamed.
  "cgi-bin/slowpage.sh": sh(
    `printf 'Content-Type: text/plain\\n\\npart one\\n'\nsleep 1\necho part two\n`,
  ),
  // More than the gather cap at once: streamed.
  "cgi-bin/bigpage.sh": sh(
    `printf 'Content-Type: application/octet-stream\\n\\n'\nhead -c 300000 /dev/zero\n`,
  ),
  "cgi-bin/nocontent.sh": sh(`printf 'Status: 204 No Content\\n\\n'\n`),
  "cgi-bin/away.sh": sh(`printf 'Location: https://example.com/there\\n\\n'\n`),
  "cgi-bin/local.sh": sh(`printf 'Location: /hello.txt\\n\\n'\n`),
  "cgi-bin/gated.sh": sh(
    `printf 'Content-Type: text/plain\\n\\nfirst\\n'\n` +
      // Waits (at most 20 s) for the test to open the gate, which it does
      // only after it has received "first".
      `i=0\nwhile [ ! -e "$DOCUMENT_ROOT/gate" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done\n` +
      `echo second\n`,
  ),
  "cgi-bin/nohead.sh": sh(`echo hello\n`),
  "cgi-bin/garbage.sh": sh(
    `printf 'Content-Type: text/plain\\nthis is not a header\\n\\nbody'\n`,
  ),
  "cgi-bin/inject.sh": sh(
    `printf 'Content-Type: text/plain\\nX-Evil: a\\rSet-Cookie: pwn=1\\n\\nbody'\n`,
  ),
  "cgi-bin/badstatus.sh": sh(`printf 'Status: 999 Nope\\n\\n'\n`),
  "cgi-bin/exit3.sh": sh(`exit 3\n`),
  "cgi-bin/crash.sh": sh(`kill -SEGV $$\n`),
  "cgi-bin/nointerp": {
    content: "#!/nonexistent/interpreter\n",
    mode: 0o755,
  },
  "cgi-bin/exitlate.sh": sh(
    `printf 'Content-Type: text/plain\\n\\nsome'\nexit 4\n`,
  ),
  "cgi-bin/stderr.sh": sh(
    `echo "oops on stderr" >&2\nprintf 'Content-Type: text/plain\\n\\nok'\n`,
  ),
  "cgi-bin/ignore-stdin.sh": sh(
    `printf 'Content-Type: text/plain\\n\\nignored'\n`,
  ),
  "cgi-bin/forever.sh": sh(
    `echo $$ > "$DOCUMENT_ROOT/forever.pid"\n` +
      `printf 'Content-Type: text/plain\\n\\n'\n` +
      `i=0\nwhile [ $i -lt 600 ]; do echo "line $i"; sleep 0.05; i=$((i+1)); done\n`,
  ),
  "cgi-bin/hello.js": {
    content: `#!/usr/bin/env -S deno run --quiet\n` +
      `console.log("Content-Type: text/plain\\n");\nconsole.log("hello from deno");\n`,
    mode: 0o755,
  },
  "hello.txt": "hello\n",
};

Deno.test("spidey runs CGI scripts", async (t) => {
  await using docroot = await tempDocroot(SCRIPTS);
  const root = docroot.path;
  const realRoot = await Deno.realPath(root);
  await using spidey = await serveFolder(root, [], {
    env: { SECRET_TOKEN: "leak" },
  });
  const port = spidey.port;

  await t.step("every meta-variable is set from the request", async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const clientPort = (conn.localAddr as Deno.NetAddr).port;
    await writeAll(
      conn,
      enc.encode(
        "GET /cgi-bin/env.sh/extra/path?x=1&y=%20z HTTP/1.1\r\n" +
          "Host: localhost:4321\r\nConnection: close\r\n" +
          "Accept-Language: en\r\nX-Foo: real\r\nX_Foo: spoofed\r\n" +
          "Proxy: http://evil.example:3128\r\n" +
          "Authorization: Basic dXNlcjpwYXNz\r\n\r\n",
      ),
    );
    const chunks: Uint8Array[] = [];
    await readUntil(conn, chunks, () => false);
    conn.close();
    const res = parseResponses(concat(chunks))[0]!;
    assert.equal(res.status, 200);
    const env = envLines(res.text);
    const expected: Record<string, string> = {
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_SOFTWARE: res.headers.get("server")!,
      SERVER_NAME: "localhost",
      SERVER_PORT: String(port),
      SERVER_PROTOCOL: "HTTP/1.1",
      REQUEST_METHOD: "GET",
      REQUEST_URI: "/cgi-bin/env.sh/extra/path?x=1&y=%20z",
      QUERY_STRING: "x=1&y=%20z",
      SCRIPT_NAME: "/cgi-bin/env.sh",
      SCRIPT_FILENAME: `${realRoot}/cgi-bin/env.sh`,
      PATH_INFO: "/extra/path",
      PATH_TRANSLATED: `${realRoot}/extra/path`,
      DOCUMENT_ROOT: realRoot,
      REMOTE_ADDR: "127.0.0.1",
      REMOTE_HOST: "127.0.0.1",
      REMOTE_PORT: String(clientPort),
      HTTP_HOST: "localhost:4321",
      HTTP_CONNECTION: "close",
      HTTP_ACCEPT_LANGUAGE: "en",
      HTTP_X_FOO: "real",
    };
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(env.get(name), value, name);
    }
    assert.match(env.get("PATH")!, /^\/usr\/local\/bin:\/usr\/bin:\/bin/);
    // Nothing else: no HTTP_PROXY, no HTTP_AUTHORIZATION, nothing of the
    // server's environment (SECRET_TOKEN, HOME…). sh adds PWD itself.
    const extra = [...env.keys()].filter((k) =>
      !(k in expected) && k !== "PATH" && k !== "PWD"
    );
    assert.deepEqual(extra, []);
    assert.equal(res.text.includes("leak"), false);
    assert.equal(res.text.includes("evil.example"), false);
    assert.equal(res.text.includes("spoofed"), false);
  });

  await t.step(
    "a request body reaches stdin with CONTENT_LENGTH and CONTENT_TYPE",
    async () => {
      const body = new Uint8Array(100_000).map((_, i) => i % 251);
      const head = enc.encode(
        "POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
          `Content-Type: application/x-test\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      const res = parseResponses(
        await rawExchange(port, concat([head, body])),
      )[0]!;
      assert.equal(res.status, 200);
      assert.equal(
        res.headers.get("x-got"),
        `len=${body.length} type=application/x-test`,
      );
      assert.deepEqual(res.body, body);
    },
  );

  await t.step("a chunked request body is passed decoded", async () => {
    const res = await rawRequest(
      port,
      "POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    );
    assert.equal(res.headers.get("x-got"), "len=11 type=");
    assert.equal(res.text, "hello world");
  });

  await t.step("a script that ignores a large body still answers", async () => {
    const body = new Uint8Array(2 * 1024 * 1024);
    const head = enc.encode(
      "POST /cgi-bin/ignore-stdin.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
        `Content-Length: ${body.length}\r\n\r\n`,
    );
    const res = parseResponses(
      await rawExchange(port, concat([head, body])),
    )[0]!;
    assert.equal(res.status, 200);
    assert.equal(res.text, "ignored");
  });

  await t.step(
    "Status sets the status; the script's Content-Length is not trusted",
    async () => {
      const res = await rawRequest(port, get("/cgi-bin/status.sh"));
      assert.equal(res.status, 404);
      assert.equal(res.reason, "Not Found");
      assert.equal(res.headers.get("x-script"), "yes");
      // The page is small and the script exits at once: it goes out
      // whole, with the length spidey counted.
      assert.equal(res.headers.get("content-length"), "13");
      assert.equal(res.headers.has("transfer-encoding"), false);
      assert.equal(res.headers.has("status"), false);
      assert.equal(res.text, "missing thing");
    },
  );

  await t.step("Status 204 sends no body", async () => {
    const res = await rawRequest(port, get("/cgi-bin/nocontent.sh"));
    assert.equal(res.status, 204);
    assert.equal(res.body.length, 0);
  });

  await t.step("Location redirects with 302, absolute or local", async () => {
    const away = await rawRequest(port, get("/cgi-bin/away.sh"));
    assert.equal(away.status, 302);
    assert.equal(away.headers.get("location"), "https://example.com/there");
    const local = await rawRequest(port, get("/cgi-bin/local.sh"));
    assert.equal(local.status, 302);
    assert.equal(local.headers.get("location"), "/hello.txt");
  });

  await t.step("output is streamed while the script runs", async () => {
    await Deno.remove(`${root}/gate`).catch(() => {});
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await writeAll(conn, enc.encode(get("/cgi-bin/gated.sh")));
      const chunks: Uint8Array[] = [];
      // The script does not finish until the gate opens, so "first" can
      // only arrive here if spidey relays output before the script ends.
      const sawFirst = await readUntil(
        conn,
        chunks,
        (all) => dec.decode(all).includes("first\n"),
      );
      assert.ok(sawFirst, "connection closed before the first line");
      assert.equal(dec.decode(concat(chunks)).includes("second"), false);
      await Deno.writeTextFile(`${root}/gate`, "");
      await readUntil(conn, chunks, () => false);
      const res = parseResponses(concat(chunks))[0]!;
      assert.equal(res.headers.get("transfer-encoding"), "chunked");
      assert.equal(res.text, "first\nsecond\n");
    } finally {
      conn.close();
    }
  });

  await t.step(
    "no header block, a bad one, an injection or a bad Status get 502",
    async () => {
      for (
        const path of [
          "/cgi-bin/nohead.sh",
          "/cgi-bin/garbage.sh",
          "/cgi-bin/inject.sh",
          "/cgi-bin/badstatus.sh",
        ]
      ) {
        const res = await rawRequest(port, get(path));
        assert.equal(res.status, 502, path);
        assert.equal(res.headers.has("set-cookie"), false, path);
        assert.equal(res.headers.has("x-evil"), false, path);
        assert.match(res.text, /502/);
      }
    },
  );

  await t.step(
    "a script that exits, crashes or cannot run gets 502",
    async () => {
      for (
        const path of [
          "/cgi-bin/exit3.sh",
          "/cgi-bin/crash.sh",
          "/cgi-bin/nointerp",
        ]
      ) {
        const res = await rawRequest(port, get(path));
        assert.equal(res.status, 502, path);
      }
      await spidey.waitForLog(
        "CGI /cgi-bin/exit3.sh: no output (it exited with code 3)",
      );
      await spidey.waitForLog(
        "CGI /cgi-bin/crash.sh: no output (it was killed by SIGSEGV)",
      );
      await spidey.waitForLog("CGI /cgi-bin/nointerp: cannot be run");
      // One line per failure, not a second one about the exit.
      assert.equal(
        spidey.stderr().includes("exit3.sh: exited with code"),
        false,
      );
      // The server survived all of it.
      const res = await rawRequest(port, get("/hello.txt"));
      assert.equal(res.text, "hello\n");
    },
  );

  await t.step(
    "stderr goes to the server log, never to the client",
    async () => {
      const res = await rawRequest(port, get("/cgi-bin/stderr.sh"));
      assert.equal(res.status, 200);
      assert.equal(res.text, "ok");
      await spidey.waitForLog("CGI /cgi-bin/stderr.sh: oops on stderr");
    },
  );

  await t.step(
    "HEAD runs the script and sends its head without a body",
    async () => {
      // A GET pipelined after the HEAD parses only if no body bytes were sent.
      const bytes = await rawExchange(
        port,
        "HEAD /cgi-bin/status.sh HTTP/1.1\r\nHost: h\r\n\r\n" +
          get("/cgi-bin/status.sh"),
      );
      const [head, full] = parseResponses(bytes, ["HEAD", "GET"]);
      assert.equal(head!.status, 404);
      assert.equal(head!.headers.get("x-script"), "yes");
      assert.equal(head!.body.length, 0);
      assert.equal(full!.text, "missing thing");
    },
  );

  await t.step(
    "a page still being written after the gather window is streamed",
    async () => {
      const res = await rawRequest(port, get("/cgi-bin/slowpage.sh"));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("transfer-encoding"), "chunked");
      assert.equal(res.headers.has("content-length"), false);
      assert.equal(res.text, "part one\npart two\n");
    },
  );

  await t.step("output past the gather cap is streamed", async () => {
    const res = await rawRequest(port, get("/cgi-bin/bigpage.sh"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
    assert.equal(res.body.length, 300_000);
  });

  await t.step("HTTP/1.0 gets a small page with its length", async () => {
    const res = parseResponses(
      await rawExchange(port, "GET /cgi-bin/status.sh HTTP/1.0\r\n\r\n"),
    )[0]!;
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-length"), "13");
    assert.equal(res.text, "missing thing");
  });

  await t.step("HTTP/1.0 gets a streamed body close-delimited", async () => {
    const bytes = await rawExchange(
      port,
      "GET /cgi-bin/slowpage.sh HTTP/1.0\r\n\r\n",
    );
    const text = dec.decode(bytes);
    const res = parseResponses(bytes)[0]!;
    assert.equal(res.status, 200);
    assert.equal(res.headers.has("transfer-encoding"), false);
    assert.equal(res.headers.has("content-length"), false);
    assert.equal(res.headers.get("connection"), "close");
    assert.ok(text.endsWith("\r\n\r\npart one\npart two\n"));
  });

  await t.step(
    "keep-alive carries several CGI responses on one connection",
    async () => {
      const keep = "GET /cgi-bin/status.sh HTTP/1.1\r\nHost: h\r\n\r\n";
      const bytes = await rawExchange(
        port,
        keep + "GET /cgi-bin/away.sh HTTP/1.1\r\nHost: h\r\n\r\n" +
          get("/cgi-bin/stderr.sh"),
      );
      const all = parseResponses(bytes);
      assert.deepEqual(all.map((r) => r.status), [404, 302, 200]);
      assert.equal(all[2]!.text, "ok");
    },
  );

  await t.step(
    "a client that leaves mid-output gets its script killed",
    async () => {
      await Deno.remove(`${root}/forever.pid`).catch(() => {});
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await writeAll(conn, enc.encode(get("/cgi-bin/forever.sh")));
      const chunks: Uint8Array[] = [];
      await readUntil(
        conn,
        chunks,
        (all) => dec.decode(all).includes("line 2"),
      );
      const pid = await readPid(`${root}/forever.pid`);
      assert.ok(processExists(pid), "script should still be running");
      conn.close();
      assert.ok(await waitGone(pid), `script ${pid} still runs`);
      const res = await rawRequest(port, get("/hello.txt"));
      assert.equal(res.status, 200);
    },
  );

  await t.step("a deno script found through PATH runs", async () => {
    const res = await rawRequest(port, get("/cgi-bin/hello.js"), {
      timeoutMs: 30_000,
    });
    assert.equal(res.status, 200);
    assert.equal(res.text, "hello from deno\n");
  });
});
