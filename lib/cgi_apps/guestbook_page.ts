/**
 * The guestbook's HTML: its form (empty, or filled with what was typed and
 * the problems found) and one page of entries, newest first.
 *
 * @module
 */

import { escapeHtml } from "../common/html.ts";
import { scriptUrl } from "./cgi_response.ts";
import {
  type GuestbookEntry,
  MESSAGE_RULE,
  NAME_RULE,
} from "./guestbook_entry.ts";

/** Entries shown on one page. */
export const PAGE_SIZE = 10;

/** What the form shows. */
export interface FormState {
  /** The name typed so far. */
  name: string;
  /** The message typed so far. */
  message: string;
  /** Problems to fix before it can be sent. */
  problems: string[];
}

/** An empty form. */
export const EMPTY_FORM: FormState = { name: "", message: "", problems: [] };

/** How many pages `count` entries fill (at least one, maybe empty). */
export function pageCount(count: number): number {
  return Math.max(1, Math.ceil(count / PAGE_SIZE));
}

/**
 * The page number in a `page` query value (absent means 1), or null when
 * it is anything but a plain whole number from 1.
 */
export function parsePageNumber(raw: string | null): number | null {
  if (raw === null) return 1;
  return /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : null;
}

/** Escapes `text` and keeps its line breaks as `<br>`. */
export function multilineHtml(text: string): string {
  return escapeHtml(text).replaceAll("\n", "<br>\n");
}

function renderForm(scriptName: string, form: FormState): string {
  const problems = form.problems.length === 0
    ? ""
    : `<ul class="errors" role="alert">${
      form.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")
    }</ul>\n`;
  return `<h2 id="sign">Sign the guestbook</h2>
${problems}<form method="post" action="${escapeHtml(scriptUrl(scriptName))}">
<label for="name">Name</label>
<input type="text" id="name" name="name" required maxlength="${NAME_RULE.maxLength}" value="${
    escapeHtml(form.name)
  }">
<label for="message">Message</label>
<textarea id="message" name="message" required maxlength="${MESSAGE_RULE.maxLength}">${
    escapeHtml(form.message)
  }</textarea>
<button type="submit">Sign</button>
</form>`;
}

function renderEntry(entry: GuestbookEntry): string {
  const iso = new Date(entry.time).toISOString();
  return `<article class="card">
<h3>${escapeHtml(entry.name)}</h3>
<p class="muted"><time datetime="${iso}">${
    iso.slice(0, 16).replace("T", " ")
  } UTC</time></p>
<p>${multilineHtml(entry.message)}</p>
</article>`;
}

/**
 * The guestbook's content: `notice` (plain text) if any, the form, and
 * page `page` of `entries` (given oldest first, shown newest first).
 * `page` must lie within {@linkcode pageCount}.
 */
export function renderGuestbook(
  scriptName: string,
  entries: readonly GuestbookEntry[],
  page: number,
  form: FormState,
  notice = "",
): string {
  const total = entries.length;
  const pages = pageCount(total);
  // Newest first: page 1 holds the last PAGE_SIZE entries of the file.
  const end = total - (page - 1) * PAGE_SIZE;
  const start = Math.max(0, end - PAGE_SIZE);
  const shown = entries.slice(start, end).reverse();
  const parts: string[] = [];
  if (notice !== "") {
    parts.push(`<p class="notice" role="status">${escapeHtml(notice)}</p>`);
  }
  parts.push(renderForm(scriptName, form));
  parts.push(`<h2>Entries</h2>`);
  if (total === 0) {
    parts.push(`<p class="muted">No entries yet. Be the first!</p>`);
  } else {
    parts.push(
      `<p class="muted">${total - end + 1}–${
        total - start
      } of ${total}, newest first</p>`,
    );
    for (const entry of shown) parts.push(renderEntry(entry));
  }
  if (pages > 1) {
    const link = (n: number, text: string, rel: string) =>
      `<a rel="${rel}" href="${
        escapeHtml(scriptUrl(scriptName, n === 1 ? {} : { page: String(n) }))
      }">${text}</a>`;
    parts.push(
      `<nav class="pager" aria-label="Pages">${
        page > 1 ? link(page - 1, "← Newer", "prev") : "<span></span>"
      }<span class="muted">Page ${page} of ${pages}</span>${
        page < pages ? link(page + 1, "Older →", "next") : "<span></span>"
      }</nav>`,
    );
  }
  return parts.join("\n");
}
