/**
 * The guestbook application (`/cgi-bin/guestbook`): GET shows the form and
 * a page of entries (`?page=N`), POST adds an entry and redirects back
 * (Post/Redirect/Get), or shows the form again with what to fix (422).
 * Entries live in `guestbook.jsonl` in the data folder, one JSON line
 * each (see {@linkcode appendJsonLine} for why none is ever lost).
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
import {
  acceptEntry,
  checkEntryForm,
  type GuestbookEntry,
} from "./guestbook_entry.ts";
import {
  EMPTY_FORM,
  type FormState,
  pageCount,
  parsePageNumber,
  renderGuestbook,
} from "./guestbook_page.ts";
import { appendJsonLine, readJsonLines } from "./locked_log.ts";
import { errorResponse, renderPage } from "./page_layout.ts";

/** The data file's name in the data folder. */
export const GUESTBOOK_FILE = "guestbook.jsonl";

const TITLE = "Guestbook";

function readEntries(ctx: AppContext): GuestbookEntry[] {
  const path = dataFile(ctx, GUESTBOOK_FILE, false);
  return path === null ? [] : readJsonLines(path, acceptEntry);
}

function page(
  req: AppRequest,
  status: number,
  entries: readonly GuestbookEntry[],
  pageNumber: number,
  form: FormState,
  notice = "",
): AppResponse {
  const content = renderGuestbook(
    req.scriptName,
    entries,
    pageNumber,
    form,
    notice,
  );
  return htmlResponse(
    status,
    renderPage({ title: TITLE, content, scriptName: req.scriptName }),
  );
}

function show(req: AppRequest, ctx: AppContext): AppResponse {
  const pageNumber = parsePageNumber(req.query.get("page"));
  if (pageNumber === null) {
    return errorResponse(
      400,
      "The page number must be a whole number from 1 up.",
      req.scriptName,
    );
  }
  const entries = readEntries(ctx);
  const pages = pageCount(entries.length);
  if (pageNumber > pages) {
    return errorResponse(
      404,
      `There is no page ${pageNumber}: the guestbook has ${pages} page${
        pages === 1 ? "" : "s"
      }.`,
      req.scriptName,
    );
  }
  const notice = req.query.get("posted") === "1" && pageNumber === 1
    ? "Thank you! Your entry was added."
    : "";
  return page(req, 200, entries, pageNumber, EMPTY_FORM, notice);
}

function add(
  req: AppRequest,
  form: URLSearchParams,
  ctx: AppContext,
  now: Date,
): AppResponse {
  const checked = checkEntryForm(form, now);
  if (!checked.ok) {
    return page(req, 422, readEntries(ctx), 1, checked);
  }
  appendJsonLine(dataFile(ctx, GUESTBOOK_FILE, true)!, checked.entry);
  return seeOther(scriptUrl(req.scriptName, { posted: "1" }));
}

/**
 * Answers one guestbook request; `now` stamps a new entry (a parameter
 * so tests can fix it).
 */
export function guestbookApp(
  req: AppRequest,
  ctx: AppContext,
  now: Date = new Date(),
): AppResponse {
  return req.form === null ? show(req, ctx) : add(req, req.form, ctx, now);
}
