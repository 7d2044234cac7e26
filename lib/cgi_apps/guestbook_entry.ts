/**
 * One guestbook entry: checking what a visitor typed, and reading entries
 * back from the data file.
 *
 * @module
 */

import { checkText, type TextRule } from "./text_input.ts";

/** An entry as stored, one JSON line each. */
export interface GuestbookEntry {
  /** When it was added (ISO 8601, UTC). */
  time: string;
  /** Who wrote it. */
  name: string;
  /** What they wrote; may hold `\n`. */
  message: string;
}

/** The rule for the name field. */
export const NAME_RULE: TextRule = {
  label: "Name",
  maxLength: 60,
  multiline: false,
};

/** The rule for the message field. */
export const MESSAGE_RULE: TextRule = {
  label: "Message",
  maxLength: 2000,
  multiline: true,
};

/** The outcome of checking the form: an entry, or the problems to show. */
export type EntryCheck =
  | { ok: true; entry: GuestbookEntry }
  | { ok: false; name: string; message: string; problems: string[] };

/** Checks a submitted form; `now` stamps an accepted entry. */
export function checkEntryForm(
  form: URLSearchParams,
  now: Date,
): EntryCheck {
  const name = checkText(form.get("name"), NAME_RULE);
  const message = checkText(form.get("message"), MESSAGE_RULE);
  if (name.ok && message.ok) {
    return {
      ok: true,
      entry: {
        time: now.toISOString(),
        name: name.value,
        message: message.value,
      },
    };
  }
  const problems: string[] = [];
  if (!name.ok) problems.push(name.problem);
  if (!message.ok) problems.push(message.problem);
  return { ok: false, name: name.value, message: message.value, problems };
}

/** `value` as an entry when it is one (a parsed data-file line), else null. */
export function acceptEntry(value: unknown): GuestbookEntry | null {
  if (typeof value !== "object" || value === null) return null;
  const { time, name, message } = value as Record<string, unknown>;
  if (
    typeof time !== "string" || typeof name !== "string" ||
    typeof message !== "string" || name === "" || message === "" ||
    Number.isNaN(Date.parse(time))
  ) {
    return null;
  }
  return { time, name, message };
}
