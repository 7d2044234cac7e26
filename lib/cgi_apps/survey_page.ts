/**
 * The survey's HTML: the questions (with what was picked and what is
 * missing), a visitor's result, and everyone's totals as bars.
 *
 * @module
 */

import { escapeHtml } from "../common/html.ts";
import { scriptUrl } from "./cgi_response.ts";
import {
  SURVEY_QUESTIONS,
  SURVEY_RESULTS,
  type SurveyResult,
} from "./survey_questions.ts";
import { questionField, type SurveyTotals } from "./survey_tally.ts";

/** The form, with `answers` picked (null: none) and `problems` listed. */
export function renderSurveyForm(
  scriptName: string,
  answers: ReadonlyArray<number | null>,
  problems: readonly string[],
): string {
  const errors = problems.length === 0
    ? ""
    : `<ul class="errors" role="alert">${
      problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")
    }</ul>\n`;
  const questions = SURVEY_QUESTIONS.map((q, i) => {
    const name = questionField(i);
    const choices = q.choices.map((c, j) =>
      `<label><input type="radio" name="${name}" value="${j}" required${
        answers[i] === j ? " checked" : ""
      }> ${escapeHtml(c.text)}</label>`
    ).join("\n");
    return `<fieldset>\n<legend>${i + 1}. ${
      escapeHtml(q.text)
    }</legend>\n${choices}\n</fieldset>`;
  }).join("\n");
  const action = escapeHtml(scriptUrl(scriptName));
  const totals = escapeHtml(scriptUrl(scriptName, { view: "totals" }));
  return `<p class="muted">Five questions, one answer each. Then see which code you are, and how everyone else turned out (<a href="${totals}">or peek now</a>).</p>
${errors}<form method="post" action="${action}">
${questions}
<button type="submit">Which code am I?</button>
</form>`;
}

function bars(rows: ReadonlyArray<[string, number]>, total: number): string {
  const lines = rows.map(([label, count]) => {
    const percent = total === 0 ? 0 : Math.round((count / total) * 100);
    return `<span>${escapeHtml(label)}</span>` +
      `<div class="bar" style="width:${percent}%" role="img" aria-label="${percent}%"></div>` +
      `<span class="num">${count}</span>`;
  });
  return `<div class="bars">\n${lines.join("\n")}\n</div>`;
}

/** Everyone's totals: per result, then per question and choice. */
export function renderTotals(totals: SurveyTotals): string {
  const n = totals.responses;
  if (n === 0) {
    return `<h2>Everyone so far</h2>\n<p class="muted">No answers yet.</p>`;
  }
  const results = bars(
    SURVEY_RESULTS.map((r) => [
      `${r.code} ${r.reason}`,
      totals.results.get(r.code) ?? 0,
    ]),
    n,
  );
  const perQuestion = SURVEY_QUESTIONS.map((q, i) =>
    `<h3>${escapeHtml(q.text)}</h3>\n${
      bars(q.choices.map((c, j) => [c.text, totals.choices[i]![j]!]), n)
    }`
  ).join("\n");
  return `<h2>Everyone so far</h2>
<p class="muted">${n} answer${n === 1 ? "" : "s"}.</p>
${results}
<h2>Answer by answer</h2>
${perQuestion}`;
}

/** A visitor's result, then everyone's totals. */
export function renderSurveyResult(
  scriptName: string,
  result: SurveyResult,
  totals: SurveyTotals,
): string {
  return `<p class="big">${result.code} ${escapeHtml(result.reason)}</p>
<p>${escapeHtml(result.description)}</p>
<p><a href="${escapeHtml(scriptUrl(scriptName))}">Take it again</a></p>
${renderTotals(totals)}`;
}
