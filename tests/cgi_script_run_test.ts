/**
 * What scripts leave behind, through a real spidey: a background child
 * holding stdout does not hold the response, and is killed; a timeout
 * kills the script's whole tree, a `setsid` grandchild included.
 */

import assert from "node:assert/strict";
import {
  readPid,
  shScript as sh,
  tempDocroot,
  waitGone,
} from "./helpers/cgi_scripts.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

Deno.test("spidey finishes a script's response when it exits, whatever it left running", async (t) => {
  await using docroot = await tempDocroot({
    // Each lives a moment after starting its leftover: spidey names a
    // script's stdout pipe right after the spawn, which a script that is
    // gone within microseconds (only on a stalled machine) would escape.
    "cgi-bin/background.sh": sh(
      `printf 'Content-Type: text/plain\\n\\nbefore\\n'\n` +
        `sleep 30 & echo $! > "$DOCUMENT_ROOT/background.pid"\n` +
        `printf 'after\\n'\nsleep 0.2\n`,
    ),
    "cgi-bin/escape.sh": sh(
      `printf 'Content-Type: text/plain\\n\\n'\n` +
        `setsid sleep 30 & echo $! > "$DOCUMENT_ROOT/escape.pid"\nsleep 0.2\n`,
    ),
    "cgi-bin/nohead.sh": sh(`sleep 30 &\nexit 0\n`),
    "cgi-bin/setsid-slow.sh": sh(
      `setsid sleep 30 & echo $! > "$DOCUMENT_ROOT/grandchild.pid"\n` +
        `echo $$ > "$DOCUMENT_ROOT/slow.pid"\nsleep 30\n`,
    ),
  });
  const root = docroot.path;
  await using spidey = await serveFolder(root, ["--cgi-timeout", "2"]);

  for (const name of ["background", "escape"]) {
    await t.step(
      `${name}: the response completes at once and the leftover dies`,
      async () => {
        const started = performance.now();
        const res = await rawRequest(spidey.port, get(`/cgi-bin/${name}.sh`), {
          timeoutMs: 10_000,
        });
        const took = performance.now() - started;
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("transfer-encoding"), "chunked");
        if (name === "background") assert.equal(res.text, "before\nafter\n");
        // Well before the 2 s timeout (which would cut the response).
        assert.ok(took < 1500, `took ${took.toFixed(0)} ms`);
        const pid = await readPid(`${root}/${name}.pid`);
        assert.ok(await waitGone(pid, 5000), `leftover ${pid} still runs`);
        await spidey.waitForLog(
          `CGI /cgi-bin/${name}.sh: exited, but a process it started kept its output open`,
        );
      },
    );
  }

  await t.step("no header block and a leftover: 502 at once", async () => {
    const started = performance.now();
    const res = await rawRequest(spidey.port, get("/cgi-bin/nohead.sh"));
    assert.equal(res.status, 502);
    assert.ok(performance.now() - started < 1500);
  });

  await t.step(
    "a timeout kills the script's setsid grandchild too",
    async () => {
      const res = await rawRequest(
        spidey.port,
        get("/cgi-bin/setsid-slow.sh"),
        {
          timeoutMs: 10_000,
        },
      );
      assert.equal(res.status, 504);
      const script = await readPid(`${root}/slow.pid`);
      const grandchild = await readPid(`${root}/grandchild.pid`);
      assert.ok(await waitGone(script), `script ${script} still runs`);
      assert.ok(
        await waitGone(grandchild),
        `grandchild ${grandchild} still runs`,
      );
    },
  );
});
