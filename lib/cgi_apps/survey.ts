/**
 * The survey (`/cgi-bin/survey`), "Which HTTP status code are you?": GET
 * shows the questions, POST stores the answers and redirects (303) to
 * `?you=CODE`, which shows that result and everyone's totals;
 * `?view=totals` shows the totals alone.
 *
 * Responses are kept like guestbook entries, one JSON line each in
 * `survey.jsonl` (see {@linkcode appendJsonLine}), so concurrent visitors
 * never lose a vote and the totals are exact. `?you=` changes nothing on
 * the server, so a hand-edited one only shows its editor another page.
 *
 * @module
 */

import { escapeHtml } from "../common/html.ts";
import type { AppRequest } from "./cgi_request.ts";
import {
  type AppResponse,
  htmlResponse,
  scriptUrl,
  seeOther,
} from "./cgi_response.ts";
import { type AppContext, dataFile } from "./data_dir.ts";
import { appendJsonLine, readJsonLines } from "./locked_log.ts";
import { errorResponse, renderPage } from "./page_layout.ts";
import {
  renderSurveyForm,
  renderSurveyResult,
  renderTotals,
} from "./survey_page.ts";
import { findResult, resultFor, SURVEY_QUESTIONS } from "./survey_questions.ts";
import {
  acceptResponse,
  checkSurveyForm,
  type SurveyTotals,
  tallyResponses,
} from "./survey_tally.ts";

/** The data file's name in the data folder. */
export const SURVEY_FILE = "survey.jsonl";

const TITLE = "Which HTTP status code are you?";

function readTotals(ctx: AppContext): SurveyTotals {
  const path = dataFile(ctx, SURVEY_FILE, false);
  return tallyResponses(
    path === null ? [] : readJsonLines(path, acceptResponse),
  );
}

function page(
  req: AppRequest,
  status: number,
  title: string,
  content: string,
): AppResponse {
  return htmlResponse(
    status,
    renderPage({ title, content, scriptName: req.scriptName }),
  );
}

function show(req: AppRequest, ctx: AppContext): AppResponse {
  const you = req.query.get("you");
  if (you !== null) {
    const result = findResult(you);
    if (result === undefined) {
      return errorResponse(
        400,
        `${you.slice(0, 20)} is not one of the codes this survey gives.`,
        req.scriptName,
      );
    }
    const content = renderSurveyResult(req.scriptName, result, readTotals(ctx));
    return page(req, 200, "You are…", content);
  }
  if (req.query.get("view") === "totals") {
    const content = `${renderTotals(readTotals(ctx))}
<p><a href="${escapeHtml(scriptUrl(req.scriptName))}">Take the survey</a></p>`;
    return page(req, 200, "Everyone's results", content);
  }
  const blank = SURVEY_QUESTIONS.map(() => null);
  return page(req, 200, TITLE, renderSurveyForm(req.scriptName, blank, []));
}

function submit(
  req: AppRequest,
  form: URLSearchParams,
  ctx: AppContext,
  now: Date,
): AppResponse {
  const checked = checkSurveyForm(form);
  if (!checked.ok) {
    const content = renderSurveyForm(
      req.scriptName,
      checked.answers,
      checked.problems,
    );
    return page(req, 422, TITLE, content);
  }
  appendJsonLine(dataFile(ctx, SURVEY_FILE, true)!, {
    time: now.toISOString(),
    answers: checked.answers,
  });
  const code = resultFor(checked.answers).code;
  return seeOther(scriptUrl(req.scriptName, { you: code }));
}

/**
 * Answers one survey request; `now` stamps a stored response (a parameter
 * so tests can fix it).
 */
export function surveyApp(
  req: AppRequest,
  ctx: AppContext,
  now: Date = new Date(),
): AppResponse {
  return req.form === null ? show(req, ctx) : submit(req, req.form, ctx, now);
}
