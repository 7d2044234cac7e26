/**
 * The HTTP quiz without a server (lib/cgi_apps/quiz*.ts): the questions,
 * scoring, and the application's signed flow on a temporary data folder.
 */

import assert from "node:assert/strict";
import type { AppRequest } from "../lib/cgi_apps/cgi_request.ts";
import { quizApp } from "../lib/cgi_apps/quiz.ts";
import { renderQuestion, scoreOf, verdict } from "../lib/cgi_apps/quiz_page.ts";
import { QUIZ } from "../lib/cgi_apps/quiz_questions.ts";

const SCRIPT = "/cgi-bin/quiz";

function request(
  query = "",
  form: Record<string, string> | null = null,
): AppRequest {
  return {
    method: form === null ? "GET" : "POST",
    query: new URLSearchParams(query),
    form: form === null ? null : new URLSearchParams(form),
    scriptName: SCRIPT,
  };
}

function stateOf(html: string): { progress: string; sig: string } {
  return {
    progress: /name="progress" value="([0-3]*)"/.exec(html)![1]!,
    sig: /name="sig" value="([A-Za-z0-9_-]+)"/.exec(html)![1]!,
  };
}

Deno.test("the quiz has 8 to 10 well-formed questions", () => {
  assert.ok(QUIZ.length >= 8 && QUIZ.length <= 10);
  for (const q of QUIZ) {
    assert.equal(q.choices.length, 4);
    assert.equal(new Set(q.choices).size, 4, q.text);
    assert.ok(q.explanation.length > 20, q.text);
  }
  // Not every answer in the same place.
  assert.ok(new Set(QUIZ.map((q) => q.answer)).size >= 3);
});

Deno.test("scoreOf counts right answers; verdicts follow the score", () => {
  const right = QUIZ.map((q) => q.answer).join("");
  assert.equal(scoreOf(right), QUIZ.length);
  const allWrong = QUIZ.map((q) => (q.answer + 1) % 4).join("");
  assert.equal(scoreOf(allWrong), 0);
  assert.match(verdict(QUIZ.length), /Perfect/);
  assert.match(verdict(0), /404/);
  assert.notEqual(verdict(QUIZ.length - 1), verdict(QUIZ.length));
});

Deno.test("renderQuestion carries the signed state and escapes", () => {
  const html = renderQuestion(SCRIPT, {
    progress: "01",
    signature: 'a"b',
    problems: ["<b>"],
  });
  assert.match(html, /Question 3 of 10/);
  assert.match(html, /<input type="hidden" name="progress" value="01">/);
  assert.match(html, /name="sig" value="a&quot;b"/);
  assert.match(html, /<li>&lt;b&gt;<\/li>/);
  assert.ok(html.includes(`<legend>${QUIZ[2]!.text}</legend>`));
});

Deno.test("quizApp walks through the quiz and scores a signed result", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const ctx = { dataDir: `${dir}/data`, documentRoot: `${dir}/www` };
    let res = await quizApp(request(), ctx);
    for (let i = 0; i < QUIZ.length; i++) {
      assert.equal(res.status, 200);
      const state = stateOf(res.body);
      assert.equal(state.progress.length, i);
      res = await quizApp(
        request("", {
          ...state,
          answer: String(i === 0 ? 0 : QUIZ[i]!.answer),
        }),
        ctx,
      );
    }
    assert.equal(res.status, 303);
    const location = res.headers.find(([n]) => n === "Location")![1];
    const query = location.slice(location.indexOf("?") + 1);
    const result = await quizApp(request(query), ctx);
    assert.equal(result.status, 200);
    assert.match(
      result.body,
      new RegExp(`${QUIZ.length - 1} / ${QUIZ.length}`),
    );

    // The same answers under another key are refused.
    const other = { dataDir: `${dir}/other`, documentRoot: `${dir}/www` };
    const elsewhere = await quizApp(request(query), other);
    assert.equal(elsewhere.status, 400);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
