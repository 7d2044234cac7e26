/**
 * The HTTP quiz's HTML: one question with its choices, and the score with
 * every answer explained.
 *
 * @module
 */

import { escapeHtml } from "../common/html.ts";
import { scriptUrl } from "./cgi_response.ts";
import { QUIZ } from "./quiz_questions.ts";

/** What a question page carries forward in its form. */
export interface QuestionState {
  /** The answers given so far, one digit (0–3) each. */
  progress: string;
  /** The signature of `progress`. */
  signature: string;
  /** Problems with the last submission. */
  problems: string[];
}

/** The page for the next unanswered question. */
export function renderQuestion(
  scriptName: string,
  state: QuestionState,
): string {
  const index = state.progress.length;
  const question = QUIZ[index]!;
  const last = index === QUIZ.length - 1;
  const problems = state.problems.length === 0
    ? ""
    : `<ul class="errors" role="alert">${
      state.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")
    }</ul>\n`;
  const choices = question.choices.map((choice, i) =>
    `<label><input type="radio" name="answer" value="${i}" required> ${
      escapeHtml(choice)
    }</label>`
  ).join("\n");
  return `<p class="muted">Ten questions about the protocol this page came over. Question ${
    index + 1
  } of ${QUIZ.length}.</p>
<progress max="${QUIZ.length}" value="${index}">${index} of ${QUIZ.length} answered</progress>
${problems}<form method="post" action="${escapeHtml(scriptUrl(scriptName))}">
<input type="hidden" name="progress" value="${escapeHtml(state.progress)}">
<input type="hidden" name="sig" value="${escapeHtml(state.signature)}">
<fieldset>
<legend>${escapeHtml(question.text)}</legend>
${choices}
</fieldset>
<button type="submit">${last ? "See my score" : "Next question"}</button>
</form>`;
}

/** A verdict for `score` out of the quiz's length. */
export function verdict(score: number): string {
  if (score === QUIZ.length) return "Perfect: you speak fluent HTTP.";
  if (score >= QUIZ.length * 0.7) return "Well done: 200 OK.";
  if (score >= QUIZ.length * 0.4) return "Not bad: 206 Partial Content.";
  return "Time to read RFC 9110: 404 Knowledge Not Found.";
}

/** The number of right answers in a complete `progress`. */
export function scoreOf(progress: string): number {
  let score = 0;
  for (let i = 0; i < QUIZ.length; i++) {
    if (Number(progress[i]) === QUIZ[i]!.answer) score++;
  }
  return score;
}

/** The score page for a complete, verified `progress`. */
export function renderResult(scriptName: string, progress: string): string {
  const score = scoreOf(progress);
  const items = QUIZ.map((q, i) => {
    const given = Number(progress[i]);
    const right = given === q.answer;
    const yours = `<p class="${right ? "good" : "bad"}">${
      right ? "✓" : "✗"
    } You answered: ${escapeHtml(q.choices[given] ?? "")}</p>`;
    const correct = right
      ? ""
      : `<p>The answer: ${escapeHtml(q.choices[q.answer])}</p>`;
    return `<li class="card"><h3>${escapeHtml(q.text)}</h3>
${yours}${correct}
<p class="muted">${escapeHtml(q.explanation)}</p></li>`;
  }).join("\n");
  return `<p class="big">${score} / ${QUIZ.length}</p>
<p>${escapeHtml(verdict(score))}</p>
<p>This page's address is a signed link to your result: share it, it cannot be changed.</p>
<h2>Your answers</h2>
<ol class="answers">
${items}
</ol>
<p><a href="${escapeHtml(scriptUrl(scriptName))}">Take the quiz again</a></p>`;
}
