import assert from "node:assert/strict";
import {
  renderErrorPage,
  sendErrorPage,
} from "../lib/server/core/error_page.ts";
import type { HeaderList } from "../lib/http/header_fields.ts";
import type { ResponseWriter } from "../lib/server/core/response_writer.ts";
import { moodOf, spiderSvg } from "../lib/common/spider_art.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";

Deno.test("renderErrorPage names the status and reason and shows the mascot", () => {
  for (
    const [status, reason] of [[404, "Not Found"], [403, "Forbidden"], [
      500,
      "Internal Server Error",
    ]] as const
  ) {
    const html = renderErrorPage(status);
    assert.ok(html.includes(`<title>${status} ${reason}</title>`));
    assert.ok(html.includes(`<h1>${status}</h1>`));
    assert.ok(html.includes(`<h2>${reason}</h2>`));
    assert.match(html, /<svg [^>]*role="img" aria-label="spidey/);
  }
});

Deno.test("renderErrorPage escapes the detail", () => {
  const html = renderErrorPage(404, `/<script>alert("x")</script>&'`);
  assert.ok(!html.includes("<script>"));
  assert.ok(
    html.includes(
      "/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;",
    ),
  );
});

Deno.test("renderErrorPage gives unlisted codes a generic reason and quip", () => {
  const html = renderErrorPage(599);
  assert.ok(html.includes("<h2>Server Error</h2>"));
  assert.ok(html.includes("Something went wrong on my side."));
  assert.ok(
    renderErrorPage(499).includes("Something about that request was off."),
  );
});

Deno.test("renderErrorPage reuses the page per status but never the detail", () => {
  const first = renderErrorPage(418, "a");
  const second = renderErrorPage(418, "a");
  assert.equal(first, second);
  assert.ok(!renderErrorPage(418, "b").includes("<code>a</code>"));
});

Deno.test("spiderSvg changes face with the status class", () => {
  assert.equal(moodOf(200), "cheerful");
  assert.equal(moodOf(404), "puzzled");
  assert.equal(moodOf(503), "dizzy");
  assert.ok(spiderSvg(404).includes("puzzled"));
  assert.ok(spiderSvg(500).includes("dizzy"));
  assert.notEqual(spiderSvg(404), spiderSvg(500));
});

Deno.test("sendErrorPage sends one response with its extra headers", async () => {
  const sent: Array<
    { status: number; headers: HeaderList; body?: string | Uint8Array }
  > = [];
  const res = {
    send(status: number, headers: HeaderList, body?: string | Uint8Array) {
      sent.push({ status, headers, body });
      return Promise.resolve();
    },
  } as unknown as ResponseWriter;
  await sendErrorPage(res, 405, { headers: [["Allow", "GET, HEAD"]] });
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.status, 405);
  const names = sent[0]!.headers.map(([k]) => k);
  assert.ok(names.includes("Allow"));
  assert.ok(names.includes("Content-Type"));
  assert.ok(String(sent[0]!.body).includes("<h2>Method Not Allowed</h2>"));
});

Deno.test("a real 404 for a path holding <script> does not echo it raw", async () => {
  const root = await makeDocroot({ "index.txt": "x" });
  await using spidey = await serveFolder(root);
  const res = await rawRequest(
    spidey.port,
    get("/%3Cscript%3Ealert(1)%3C/script%3E.html"),
  );
  assert.equal(res.status, 404);
  assert.equal(res.reason, "Not Found");
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.ok(res.text.includes("<h1>404</h1>"));
  assert.ok(res.text.includes("<svg"));
  assert.ok(!res.text.includes("<script>"));
  assert.ok(res.text.includes("&lt;script&gt;alert(1)&lt;/script&gt;.html"));
});
