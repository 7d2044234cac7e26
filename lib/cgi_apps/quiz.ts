/**
 * The HTTP quiz (`/cgi-bin/quiz`): one question per page, scored at the
 * end with explanations.
 *
 * The server keeps nothing per visitor. The answers so far travel in a
 * hidden form field, signed with a key from the data folder (see
 * {@linkcode TokenSigner}); a changed or made-up field is refused, so
 * nobody can skip questions or claim a score they did not get. The score
 * page is a GET of `?result=ANSWERS&sig=SIGNATURE`: a link that can be
 * shared and not forged.
 *
 * @module
 */

import type { AppRequest } from "./cgi_request.ts";
import {
  type AppResponse,
  htmlResponse,
  scriptUrl,
  seeOther,
} from "./cgi_response.ts";
import { type AppContext, dataFile } from "./data_dir.ts";
import { errorResponse, renderPage } from "./page_layout.ts";
import { renderQuestion, renderResult } from "./quiz_page.ts";
import { QUIZ } from "./quiz_questions.ts";
import { loadOrCreateKey } from "./secret_key.ts";
import { TokenSigner } from "./signed_token.ts";

/** The key file's name in the data folder. */
export const QUIZ_KEY_FILE = "quiz.key";

const TITLE = "The HTTP quiz";

/**
 * FNV-1a of the questions: part of every signature, so answers signed for
 * an older version of the quiz are refused instead of scored wrongly.
 */
function quizFingerprint(): string {
  let hash = 0x811c9dc5;
  for (const ch of JSON.stringify(QUIZ)) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

const SCOPE = `quiz/${quizFingerprint()}`;
const PARTIAL = new RegExp(`^[0-3]{0,${QUIZ.length - 1}}$`);
const COMPLETE = new RegExp(`^[0-3]{${QUIZ.length}}$`);

const TAMPERED = "This quiz form was changed, or it comes from an older " +
  "version of the quiz, so it cannot be scored. Please start again.";

async function signerFor(ctx: AppContext): Promise<TokenSigner> {
  const key = loadOrCreateKey(dataFile(ctx, QUIZ_KEY_FILE, true)!);
  return await TokenSigner.create(key, SCOPE);
}

async function questionPage(
  req: AppRequest,
  status: number,
  progress: string,
  signer: TokenSigner,
  problems: string[] = [],
): Promise<AppResponse> {
  const signature = await signer.sign(progress);
  const content = renderQuestion(req.scriptName, {
    progress,
    signature,
    problems,
  });
  return htmlResponse(
    status,
    renderPage({ title: TITLE, content, scriptName: req.scriptName }),
  );
}

async function answer(
  req: AppRequest,
  form: URLSearchParams,
  signer: TokenSigner,
): Promise<AppResponse> {
  const progress = form.get("progress") ?? "";
  const valid = PARTIAL.test(progress) &&
    await signer.verify(progress, form.get("sig") ?? "");
  if (!valid) return errorResponse(400, TAMPERED, req.scriptName);
  const choice = form.get("answer");
  if (choice === null || !/^[0-3]$/.test(choice)) {
    return await questionPage(req, 422, progress, signer, [
      "Choose one of the answers.",
    ]);
  }
  const next = progress + choice;
  if (next.length < QUIZ.length) {
    return await questionPage(req, 200, next, signer);
  }
  return seeOther(
    scriptUrl(req.scriptName, {
      result: next,
      sig: await signer.sign(next),
    }),
  );
}

async function result(
  req: AppRequest,
  progress: string,
  signer: TokenSigner,
): Promise<AppResponse> {
  const valid = COMPLETE.test(progress) &&
    await signer.verify(progress, req.query.get("sig") ?? "");
  if (!valid) return errorResponse(400, TAMPERED, req.scriptName);
  const content = renderResult(req.scriptName, progress);
  return htmlResponse(
    200,
    renderPage({ title: "Your score", content, scriptName: req.scriptName }),
  );
}

/** Answers one quiz request. */
export async function quizApp(
  req: AppRequest,
  ctx: AppContext,
): Promise<AppResponse> {
  const signer = await signerFor(ctx);
  if (req.form !== null) return await answer(req, req.form, signer);
  const done = req.query.get("result");
  if (done !== null) return await result(req, done, signer);
  return await questionPage(req, 200, "", signer);
}
