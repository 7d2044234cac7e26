/**
 * The HTTP quiz CGI application (www/cgi-bin/quiz) through a real spidey
 * process: one question per page, the score with explanations, a missing
 * answer, signed state that refuses tampering, and no per-visitor files.
 */

import assert from "node:assert/strict";
import { QUIZ } from "../lib/cgi_apps/quiz_questions.ts";
import {
  APP_SPIDEY_ARGS,
  appSite,
  fetchPage,
  postForm,
} from "./helpers/cgi_app_site.ts";
import type { RawResponse } from "./helpers/raw_http.ts";
import { startSpidey } from "./helpers/spidey_process.ts";

const SCRIPT = "/cgi-bin/quiz";
const SPIDEY_ARGS = APP_SPIDEY_ARGS;

function site() {
  return appSite("quiz");
}

function post(
  port: number,
  fields: Record<string, string>,
): Promise<RawResponse> {
  return postForm(port, SCRIPT, new URLSearchParams(fields).toString());
}

/** The hidden state of a question page. */
function stateOf(html: string): { progress: string; sig: string } {
  const progress = /name="progress" value="([0-3]*)"/.exec(html);
  const sig = /name="sig" value="([A-Za-z0-9_-]+)"/.exec(html);
  assert.ok(progress && sig, `no quiz state in: ${html.slice(-600)}`);
  return { progress: progress[1]!, sig: sig[1]! };
}

/** Answers every question with `choose(index)`; returns the redirect. */
async function takeQuiz(
  port: number,
  choose: (index: number) => number,
): Promise<RawResponse> {
  let page = await fetchPage(port, SCRIPT);
  for (let i = 0; i < QUIZ.length; i++) {
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`Question ${i + 1} of ${QUIZ.length}`));
    const state = stateOf(page.text);
    assert.equal(state.progress.length, i);
    page = await post(port, { ...state, answer: String(choose(i)) });
  }
  return page;
}

Deno.test("quiz: questions, score, explanations and signed state", async (t) => {
  await using dir = await site();
  const root = `${dir.path}/www`;
  let spidey = await startSpidey([...SPIDEY_ARGS, "-d", root]);
  let perfectLink = "";
  try {
    await t.step(
      "the first question comes with its choices and signed state",
      async () => {
        const res = await fetchPage(spidey.port, SCRIPT);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("cache-control"), "no-store");
        assert.match(res.text, /<legend>A server has never heard of the path/);
        assert.equal(res.text.match(/type="radio" name="answer"/g)?.length, 4);
        assert.equal(stateOf(res.text).progress, "");
        assert.match(res.text, /<a href="\/">/);
      },
    );

    await t.step(
      "all right: 10 / 10, by a redirect to a signed result link",
      async () => {
        const done = await takeQuiz(spidey.port, (i) => QUIZ[i]!.answer);
        assert.equal(done.status, 303);
        perfectLink = done.headers.get("location")!;
        assert.match(
          perfectLink,
          /^\/cgi-bin\/quiz\?result=[0-3]{10}&sig=[A-Za-z0-9_-]{43}$/,
        );
        const res = await fetchPage(spidey.port, perfectLink);
        assert.equal(res.status, 200);
        assert.match(res.text, /<p class="big">10 \/ 10<\/p>/);
        assert.match(res.text, /Perfect/);
        assert.equal(res.text.match(/✓ You answered/g)?.length, 10);
      },
    );

    await t.step(
      "wrong answers are shown with the right one and why",
      async () => {
        // Always the first choice: right only where that is the answer.
        const expected = QUIZ.filter((q) => q.answer === 0).length;
        const done = await takeQuiz(spidey.port, () => 0);
        assert.equal(done.status, 303);
        const res = await fetchPage(spidey.port, done.headers.get("location")!);
        assert.equal(res.status, 200);
        assert.match(
          res.text,
          new RegExp(`<p class="big">${expected} / 10</p>`),
        );
        assert.equal(res.text.match(/✗ You answered/g)?.length, 10 - expected);
        assert.match(res.text, /The answer: 404 Not Found/);
        assert.match(res.text, /410 Gone is for something that existed/);
      },
    );

    await t.step(
      "a missing answer asks again (422) with the same state",
      async () => {
        const first = stateOf((await fetchPage(spidey.port, SCRIPT)).text);
        const second = await post(spidey.port, { ...first, answer: "2" });
        const state = stateOf(second.text);
        assert.equal(state.progress, "2");
        for (const answer of [undefined, "", "4", "x"]) {
          const fields: Record<string, string> = { ...state };
          if (answer !== undefined) fields.answer = answer;
          const res = await post(spidey.port, fields);
          assert.equal(res.status, 422, `answer ${answer}`);
          assert.match(res.text, /Choose one of the answers\./);
          assert.match(res.text, /Question 2 of 10/);
          assert.deepEqual(stateOf(res.text), state);
        }
      },
    );

    await t.step("changed or made-up state is refused (400)", async () => {
      const start = stateOf((await fetchPage(spidey.port, SCRIPT)).text);
      const after = stateOf(
        (await post(spidey.port, { ...start, answer: "1" })).text,
      );
      const attempts: Array<Record<string, string>> = [
        // Another earlier answer under the old signature.
        { progress: "2", sig: after.sig, answer: "0" },
        // Skipping ahead with the start's signature.
        { progress: "222222222", sig: start.sig, answer: "0" },
        { progress: after.progress, sig: "A".repeat(43), answer: "0" },
        { progress: after.progress, sig: "not base64!", answer: "0" },
        { progress: after.progress, answer: "0" },
        { progress: "12x", sig: after.sig, answer: "0" },
      ];
      for (const fields of attempts) {
        const res = await post(spidey.port, fields);
        assert.equal(res.status, 400, JSON.stringify(fields));
        assert.match(res.text, /This quiz form was changed/);
      }
      const [, query] = perfectLink.split("?");
      const params = new URLSearchParams(query);
      const forged = `${SCRIPT}?result=${"0".repeat(10)}&sig=${
        params.get("sig")
      }`;
      assert.equal((await fetchPage(spidey.port, forged)).status, 400);
      const short = `${SCRIPT}?result=${params.get("result")!.slice(1)}&sig=${
        params.get("sig")
      }`;
      assert.equal((await fetchPage(spidey.port, short)).status, 400);
    });

    await t.step(
      "nothing is kept per visitor, and links outlive a restart",
      async () => {
        const files = [...Deno.readDirSync(`${dir.path}/spidey-data`)].map((
          e,
        ) => e.name);
        assert.deepEqual(files, ["quiz.key"]);
        const mode = Deno.statSync(`${dir.path}/spidey-data/quiz.key`).mode! &
          0o777;
        assert.equal(mode, 0o600);
        await spidey.stop();
        spidey = await startSpidey([...SPIDEY_ARGS, "-d", root]);
        const res = await fetchPage(spidey.port, perfectLink);
        assert.equal(res.status, 200);
        assert.match(res.text, /10 \/ 10/);
      },
    );
  } finally {
    await spidey[Symbol.asyncDispose]();
  }
});

Deno.test("quiz: concurrent first visitors agree on one key", async () => {
  await using dir = await site();
  await using spidey = await startSpidey([
    ...SPIDEY_ARGS,
    "-d",
    `${dir.path}/www`,
  ]);
  const pages = await Promise.all(
    Array.from({ length: 12 }, () => fetchPage(spidey.port, SCRIPT)),
  );
  assert.deepEqual(pages.map((p) => p.status), Array(12).fill(200));
  // The same key signs the same (empty) progress the same way.
  const sigs = new Set(pages.map((p) => stateOf(p.text).sig));
  assert.equal(sigs.size, 1);
  const files = [...Deno.readDirSync(`${dir.path}/spidey-data`)].map((e) =>
    e.name
  );
  assert.deepEqual(files, ["quiz.key"], "no candidate files left behind");
});
