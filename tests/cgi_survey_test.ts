/**
 * The survey CGI application (www/cgi-bin/survey) through a real spidey
 * process: the questions, validation, Post/Redirect/Get to a result, and
 * totals that stay exact under concurrent submissions and restarts.
 */

import assert from "node:assert/strict";
import {
  APP_SPIDEY_ARGS,
  appSite,
  fetchPage,
  postForm,
} from "./helpers/cgi_app_site.ts";
import type { RawResponse } from "./helpers/raw_http.ts";
import { startSpidey } from "./helpers/spidey_process.ts";

const SCRIPT = "/cgi-bin/survey";
const SPIDEY_ARGS = APP_SPIDEY_ARGS;
// Choice j of every question counts for the same code.
const CODES = [
  "200 OK",
  "301 Moved Permanently",
  "404 Not Found",
  "418 I&#39;m a teapot",
  "503 Service Unavailable",
];

function site() {
  return appSite("survey");
}

function post(port: number, body: string): Promise<RawResponse> {
  return postForm(port, SCRIPT, body);
}

function answers(choices: number[]): string {
  return choices.map((c, i) => `q${i + 1}=${c}`).join("&");
}

/** The first block of bars (per result) as label → count. */
function resultBars(html: string): Map<string, number> {
  const block = /<div class="bars">([\s\S]*?)<\/div>\n<h2>/.exec(html);
  assert.ok(block, "no result bars");
  const out = new Map<string, number>();
  for (
    const m of block[1]!.matchAll(
      /<span>(.*?)<\/span><div[^>]*><\/div><span class="num">(\d+)<\/span>/g,
    )
  ) {
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

Deno.test("survey: questions, results and exact totals", async (t) => {
  await using dir = await site();
  const root = `${dir.path}/www`;
  let spidey = await startSpidey([...SPIDEY_ARGS, "-d", root]);
  try {
    await t.step("GET shows five questions and no totals yet", async () => {
      const res = await fetchPage(spidey.port, SCRIPT);
      assert.equal(res.status, 200);
      assert.equal(res.text.match(/<fieldset>/g)?.length, 5);
      assert.equal(res.text.match(/type="radio"/g)?.length, 25);
      const totals = await fetchPage(spidey.port, `${SCRIPT}?view=totals`);
      assert.equal(totals.status, 200);
      assert.match(totals.text, /No answers yet\./);
    });

    await t.step(
      "missing or unknown answers come back marked (422)",
      async () => {
        const res = await post(spidey.port, "q1=3&q2=1&q4=0&q5=9");
        assert.equal(res.status, 422);
        assert.match(
          res.text,
          /Question 3 \(Your ideal weekend:\) needs an answer\./,
        );
        assert.match(
          res.text,
          /Question 5 \(Pick a motto:\) needs an answer from the list\./,
        );
        assert.match(res.text, /name="q1" value="3" required checked/);
        assert.match(res.text, /name="q2" value="1" required checked/);
        assert.equal(res.text.match(/ checked/g)?.length, 3);
        assert.throws(() =>
          Deno.statSync(`${dir.path}/spidey-data/survey.jsonl`)
        );
      },
    );

    await t.step("a complete form redirects (303) to its result", async () => {
      const res = await post(spidey.port, answers([3, 3, 0, 3, 1]));
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `${SCRIPT}?you=418`);
      const page = await fetchPage(spidey.port, `${SCRIPT}?you=418`);
      assert.equal(page.status, 200);
      assert.match(page.text, /<p class="big">418 I&#39;m a teapot<\/p>/);
      assert.match(page.text, /1 answer\./);
      assert.equal(resultBars(page.text).get(CODES[3]!), 1);
    });

    await t.step("40 concurrent submissions are all counted", async () => {
      // Submission k answers choice k % 5 everywhere: 8 of each code.
      const results = await Promise.all(
        Array.from(
          { length: 40 },
          (_, k) => post(spidey.port, answers(Array(5).fill(k % 5))),
        ),
      );
      assert.deepEqual(results.map((r) => r.status), Array(40).fill(303));
      const lines = Deno.readTextFileSync(
        `${dir.path}/spidey-data/survey.jsonl`,
      )
        .trimEnd().split("\n");
      assert.equal(lines.length, 41);
      for (const line of lines) JSON.parse(line);
      const page = await fetchPage(spidey.port, `${SCRIPT}?view=totals`);
      assert.match(page.text, /41 answers\./);
      assert.deepEqual(
        resultBars(page.text),
        new Map(CODES.map((c, j) => [c, j === 3 ? 9 : 8])),
      );
      // Per question, too: the motto question got one extra "Onwards.".
      assert.match(
        page.text,
        /<span>Onwards\.<\/span><div class="bar" style="width:22%"[^>]*><\/div><span class="num">9<\/span>/,
      );
    });

    await t.step("an unknown result is refused (400)", async () => {
      const res = await fetchPage(spidey.port, `${SCRIPT}?you=%3Cscript%3E`);
      assert.equal(res.status, 400);
      assert.match(res.text, /&lt;script&gt; is not one of the codes/);
    });

    await t.step("totals survive a restart", async () => {
      await spidey.stop();
      spidey = await startSpidey([...SPIDEY_ARGS, "-d", root]);
      const page = await fetchPage(spidey.port, `${SCRIPT}?view=totals`);
      assert.match(page.text, /41 answers\./);
    });
  } finally {
    await spidey[Symbol.asyncDispose]();
  }
});
