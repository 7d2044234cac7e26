/**
 * `--cgi-timeout` through a real spidey process: a script that runs too
 * long is killed with its children, answered with 504 before its header
 * block, or cut off mid-body.
 */

import assert from "node:assert/strict";
import {
  readPid,
  shScript as sh,
  tempDocroot,
  waitGone,
} from "./helpers/cgi_scripts.ts";
import { get, rawExchange, rawRequest } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

const dec = new TextDecoder();

Deno.test("spidey kills CGI scripts that run past --cgi-timeout", async (t) => {
  await using docroot = await tempDocroot({
    "cgi-bin/slow.sh": sh(
      `sleep 30 &\necho $! > "$DOCUMENT_ROOT/slow-child.pid"\n` +
        `echo $$ > "$DOCUMENT_ROOT/slow.pid"\nwait\n`,
    ),
    "cgi-bin/stall.sh": sh(
      `printf 'Content-Type: text/plain\\n\\npartial\\n'\n` +
        `echo $$ > "$DOCUMENT_ROOT/stall.pid"\nsleep 30\n`,
    ),
  });
  const root = docroot.path;
  await using spidey = await serveFolder(root, ["--cgi-timeout", "1"]);

  await t.step(
    "before its header block: 504, and its children die too",
    async () => {
      const res = await rawRequest(spidey.port, get("/cgi-bin/slow.sh"), {
        timeoutMs: 20_000,
      });
      assert.equal(res.status, 504);
      assert.match(res.text, /504/);
      const pid = await readPid(`${root}/slow.pid`);
      const child = await readPid(`${root}/slow-child.pid`);
      assert.ok(await waitGone(pid), `script ${pid} still runs`);
      assert.ok(await waitGone(child), `its child ${child} still runs`);
      await spidey.waitForLog(
        "CGI /cgi-bin/slow.sh: killed after 1 s without a complete header block",
      );
    },
  );

  await t.step(
    "mid-body: the connection closes without the last chunk",
    async () => {
      const bytes = await rawExchange(
        spidey.port,
        "GET /cgi-bin/stall.sh HTTP/1.1\r\nHost: h\r\n\r\n",
        { timeoutMs: 20_000 },
      );
      const text = dec.decode(bytes);
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(text, /Transfer-Encoding: chunked\r\n/);
      assert.ok(text.includes("partial\n"));
      // Closed by spidey (rawExchange returned before its own 20 s timeout)
      // with no terminating 0-length chunk: the client can tell it was cut.
      assert.equal(text.endsWith("0\r\n\r\n"), false);
      const pid = await readPid(`${root}/stall.pid`);
      assert.ok(await waitGone(pid), `script ${pid} still runs`);
      await spidey.waitForLog("was killed; the response was cut short");
      // Still one access-log line for the request, with the partial body.
      await spidey.waitForLog(/"GET \/cgi-bin\/stall\.sh HTTP\/1\.1" 200 \d+/);
    },
  );
});
