/**
 * Survey answers: checking a submitted form, reading stored responses
 * back, and adding them up per result and per choice.
 *
 * @module
 */

import { resultFor, SURVEY_QUESTIONS } from "./survey_questions.ts";

/** A response as stored, one JSON line each. */
export interface SurveyResponse {
  /** When it was sent (ISO 8601, UTC). */
  time: string;
  /** The index of the choice picked for each question. */
  answers: number[];
}

/** The outcome of checking the form. */
export type SurveyCheck =
  | { ok: true; answers: number[] }
  | { ok: false; answers: Array<number | null>; problems: string[] };

/** The form field of question `index` (0-based). */
export function questionField(index: number): string {
  return `q${index + 1}`;
}

function isChoice(question: number, value: unknown): value is number {
  const q = SURVEY_QUESTIONS[question];
  return q !== undefined && typeof value === "number" &&
    Number.isInteger(value) && value >= 0 && value < q.choices.length;
}

/** Checks a submitted form: every question needs one of its choices. */
export function checkSurveyForm(form: URLSearchParams): SurveyCheck {
  const answers: Array<number | null> = [];
  const problems: string[] = [];
  SURVEY_QUESTIONS.forEach((q, i) => {
    const raw = form.get(questionField(i));
    const value = raw !== null && /^[0-9]$/.test(raw) ? Number(raw) : null;
    if (isChoice(i, value)) answers.push(value);
    else {
      answers.push(null);
      problems.push(
        `Question ${i + 1} (${q.text}) needs an answer${
          raw === null || raw === "" ? "" : " from the list"
        }.`,
      );
    }
  });
  if (problems.length > 0) return { ok: false, answers, problems };
  return { ok: true, answers: answers as number[] };
}

/** `value` as a response when it is one (a parsed data-file line), else null. */
export function acceptResponse(value: unknown): SurveyResponse | null {
  if (typeof value !== "object" || value === null) return null;
  const { time, answers } = value as Record<string, unknown>;
  if (
    typeof time !== "string" || !Array.isArray(answers) ||
    answers.length !== SURVEY_QUESTIONS.length ||
    !answers.every((a, i) => isChoice(i, a))
  ) {
    return null;
  }
  return { time, answers: answers as number[] };
}

/** Everyone's responses, added up. */
export interface SurveyTotals {
  /** How many responses there are. */
  responses: number;
  /** Responses per result code. */
  results: Map<string, number>;
  /** Per question, how often each choice was picked. */
  choices: number[][];
}

/** Adds up `responses`. */
export function tallyResponses(
  responses: readonly SurveyResponse[],
): SurveyTotals {
  const results = new Map<string, number>();
  const choices = SURVEY_QUESTIONS.map((q) => q.choices.map(() => 0));
  for (const r of responses) {
    const code = resultFor(r.answers).code;
    results.set(code, (results.get(code) ?? 0) + 1);
    r.answers.forEach((a, i) => choices[i]![a]!++);
  }
  return { responses: responses.length, results, choices };
}
