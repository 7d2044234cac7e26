/**
 * The CGI scripts shipped in www/cgi-bin (env.sh, form.sh), run by a real
 * spidey process serving the repository's www folder.
 */

import assert from "node:assert/strict";
import { envLines } from "./helpers/cgi_scripts.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { REPO_DIR, startSpidey } from "./helpers/spidey_process.ts";

const enc = new TextEncoder();

Deno.test("the scripts shipped in www/cgi-bin work through spidey", async (t) => {
  for (const name of ["env.sh", "form.sh"]) {
    const info = await Deno.stat(`${REPO_DIR}/www/cgi-bin/${name}`);
    assert.ok(info.mode !== null && (info.mode & 0o111) !== 0, `${name} +x`);
  }
  await using spidey = await startSpidey([
    "-p",
    "0",
    "-d",
    `${REPO_DIR}/www`,
    "-f",
  ]);
  const port = spidey.port;
  const post = (body: string, type = "application/x-www-form-urlencoded") =>
    "POST /cgi-bin/form.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" +
    `Content-Type: ${type}\r\nContent-Length: ${
      enc.encode(body).length
    }\r\n\r\n${body}`;

  await t.step("env.sh prints its environment sorted", async () => {
    const res = await rawRequest(port, get("/cgi-bin/env.sh/more?q=1"));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
    const lines = res.text.trimEnd().split("\n");
    assert.deepEqual(lines, [...lines].sort());
    const env = envLines(res.text);
    assert.equal(env.get("GATEWAY_INTERFACE"), "CGI/1.1");
    assert.equal(env.get("PATH_INFO"), "/more");
    assert.equal(env.get("QUERY_STRING"), "q=1");
  });

  await t.step("form.sh shows the form on GET", async () => {
    const res = await rawRequest(port, get("/cgi-bin/form.sh"));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    assert.match(res.text, /<form method="post" action="\/cgi-bin\/form.sh">/);
    assert.match(res.text, /<input name="name"/);
    assert.match(res.text, /<textarea name="message"/);
    assert.match(res.text, /<select name="color">/);
  });

  await t.step(
    "form.sh decodes, escapes and shows the fields on POST",
    async () => {
      const res = await rawRequest(
        port,
        post(
          "name=Ann+%3Cb%3E%26%22x%27&message=line+1%0D%0A100%25+caf%C3%A9+%2B1&color=blue",
        ),
      );
      assert.equal(res.status, 200);
      assert.ok(
        res.text.includes("<dd>Ann &lt;b&gt;&amp;&quot;x&#39;</dd>"),
        res.text,
      );
      assert.ok(res.text.includes("<dd>line 1\r\n100% café +1</dd>"), res.text);
      assert.ok(res.text.includes("<dd>blue</dd>"));
      assert.equal(res.text.includes("<b>"), false);
    },
  );

  await t.step(
    "form.sh names missing fields and keeps what was typed",
    async () => {
      const res = await rawRequest(
        port,
        post("name=%3Cme%3E&message=&color=pink"),
      );
      assert.equal(res.status, 422);
      assert.ok(res.text.includes("Message is missing."));
      assert.ok(res.text.includes("Colour must be red, green or blue."));
      assert.equal(res.text.includes("Name is missing."), false);
      assert.ok(res.text.includes('value="&lt;me&gt;"'));
    },
  );

  await t.step(
    "form.sh refuses other content types and large bodies",
    async () => {
      const wrongType = await rawRequest(port, post("name=a", "text/plain"));
      assert.equal(wrongType.status, 415);
      const big = await rawRequest(port, post(`message=${"a".repeat(9000)}`));
      assert.equal(big.status, 413);
    },
  );
});
