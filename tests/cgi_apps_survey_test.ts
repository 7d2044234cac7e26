/**
 * The survey without a server (lib/cgi_apps/survey*.ts): results from
 * answers, the form check, stored responses, totals and bars.
 */

import assert from "node:assert/strict";
import type { AppRequest } from "../lib/cgi_apps/cgi_request.ts";
import { SURVEY_FILE, surveyApp } from "../lib/cgi_apps/survey.ts";
import { renderTotals } from "../lib/cgi_apps/survey_page.ts";
import {
  resultFor,
  SURVEY_QUESTIONS,
  SURVEY_RESULTS,
} from "../lib/cgi_apps/survey_questions.ts";
import {
  acceptResponse,
  checkSurveyForm,
  tallyResponses,
} from "../lib/cgi_apps/survey_tally.ts";

const TIME = "2025-06-01T00:00:00.000Z";

Deno.test("every question offers one choice per result", () => {
  const codes = SURVEY_RESULTS.map((r) => r.code).sort();
  for (const q of SURVEY_QUESTIONS) {
    assert.deepEqual(q.choices.map((c) => c.code).sort(), codes, q.text);
  }
});

Deno.test("resultFor picks the most chosen code, ties to the earlier result", () => {
  const choice = (code: string, q: number) =>
    SURVEY_QUESTIONS[q]!.choices.findIndex((c) => c.code === code);
  const pick = (codes: string[]) => resultFor(codes.map(choice)).code;
  assert.equal(pick(["418", "418", "418", "200", "503"]), "418");
  assert.equal(pick(["503", "404", "503", "404", "200"]), "404");
  assert.equal(pick(["301", "200", "404", "418", "503"]), "200");
});

Deno.test("checkSurveyForm needs a listed choice for every question", () => {
  assert.deepEqual(
    checkSurveyForm(new URLSearchParams("q1=0&q2=1&q3=2&q4=3&q5=4")),
    { ok: true, answers: [0, 1, 2, 3, 4] },
  );
  const res = checkSurveyForm(new URLSearchParams("q1=0&q2=5&q3=x&q5=-1&q5=1"));
  assert.equal(res.ok, false);
  assert.deepEqual(res.answers, [0, null, null, null, null]);
  assert.deepEqual(
    (res as { problems: string[] }).problems.map((p) => p.slice(0, 11)),
    ["Question 2 ", "Question 3 ", "Question 4 ", "Question 5 "],
  );
  assert.match(
    (res as { problems: string[] }).problems[0]!,
    /from the list\.$/,
  );
  assert.doesNotMatch(
    (res as { problems: string[] }).problems[2]!,
    /from the list/,
  );
});

Deno.test("acceptResponse takes well-formed stored responses only", () => {
  const good = { time: TIME, answers: [0, 1, 2, 3, 4] };
  assert.deepEqual(acceptResponse(good), good);
  for (
    const bad of [
      null,
      { time: TIME },
      { time: TIME, answers: [0, 1, 2, 3] },
      { time: TIME, answers: [0, 1, 2, 3, 5] },
      { time: TIME, answers: [0, 1, 2, 3, 1.5] },
      { time: TIME, answers: ["0", 1, 2, 3, 4] },
      { answers: [0, 1, 2, 3, 4] },
    ]
  ) {
    assert.equal(acceptResponse(bad), null, JSON.stringify(bad));
  }
});

Deno.test("tallyResponses counts results and choices exactly", () => {
  const totals = tallyResponses([
    { time: TIME, answers: [3, 3, 3, 0, 0] },
    { time: TIME, answers: [3, 3, 3, 3, 3] },
    { time: TIME, answers: [0, 0, 0, 1, 1] },
  ]);
  assert.equal(totals.responses, 3);
  assert.deepEqual([...totals.results].sort(), [["200", 1], ["418", 2]]);
  assert.deepEqual(totals.choices[0], [1, 0, 0, 2, 0]);
  assert.deepEqual(totals.choices[4], [1, 1, 0, 1, 0]);
});

Deno.test("renderTotals draws bars as shares of all answers", () => {
  const html = renderTotals(tallyResponses([
    { time: TIME, answers: [3, 3, 3, 3, 3] },
    { time: TIME, answers: [3, 3, 3, 3, 3] },
    { time: TIME, answers: [0, 0, 0, 0, 0] },
  ]));
  assert.match(html, /3 answers\./);
  assert.match(
    html,
    /<span>418 I&#39;m a teapot<\/span><div class="bar" style="width:67%"[^>]*><\/div><span class="num">2<\/span>/,
  );
  assert.match(
    html,
    /<span>503 Service Unavailable<\/span><div class="bar" style="width:0%"/,
  );
  assert.match(renderTotals(tallyResponses([])), /No answers yet\./);
});

Deno.test("surveyApp stores a response and redirects to its result", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const ctx = { dataDir: `${dir}/data`, documentRoot: `${dir}/www` };
    const req = (query: string, form: string | null): AppRequest => ({
      method: form === null ? "GET" : "POST",
      query: new URLSearchParams(query),
      form: form === null ? null : new URLSearchParams(form),
      scriptName: "/cgi-bin/survey",
    });
    const now = new Date(TIME);
    const sent = surveyApp(req("", "q1=4&q2=4&q3=4&q4=0&q5=1"), ctx, now);
    assert.equal(sent.status, 303);
    assert.deepEqual(sent.headers[0], ["Location", "/cgi-bin/survey?you=503"]);
    assert.equal(
      Deno.readTextFileSync(`${dir}/data/${SURVEY_FILE}`),
      `{"time":"${TIME}","answers":[4,4,4,0,1]}\n`,
    );
    const shown = surveyApp(req("you=503", null), ctx);
    assert.equal(shown.status, 200);
    assert.match(shown.body, /503 Service Unavailable<\/p>/);
    assert.match(shown.body, /1 answer\./);
    assert.equal(surveyApp(req("you=999", null), ctx).status, 400);
    assert.equal(surveyApp(req("", "q1=0"), ctx).status, 422);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
