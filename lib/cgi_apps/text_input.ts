/**
 * Checking text typed into a form: trimmed, NFC-normalised, line breaks
 * made `\n`, bounded in length, and free of control characters, with a
 * message that says what to fix.
 *
 * @module
 */

/** How one text field is checked. */
export interface TextRule {
  /** The field's name as the user knows it ("Name"). */
  label: string;
  /** The most characters (code points) allowed after trimming. */
  maxLength: number;
  /** Whether line breaks are allowed (a textarea). */
  multiline: boolean;
}

/** A checked field: the clean value, or what is wrong with it. */
export type TextCheck =
  | { ok: true; value: string }
  | { ok: false; value: string; problem: string };

// C0 controls, DEL and C1 controls: invisible, and some (NUL, ESC) mean
// something to terminals that show the data file. Line feeds are checked
// separately, since only some fields may hold them.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;
const CONTROLS = new RegExp(CONTROL.source, "gu");

function describe(char: string): string {
  return "U+" +
    char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * Checks `raw` (null when the field was not sent) against `rule`. The
 * returned value is what the form shows again when there is a problem.
 */
export function checkText(raw: string | null, rule: TextRule): TextCheck {
  // Browsers send textarea line breaks as CRLF; a lone CR is a break too.
  const value = (raw ?? "").replace(/\r\n?/g, "\n").normalize("NFC").trim();
  if (value === "") {
    return { ok: false, value, problem: `${rule.label} is missing.` };
  }
  let length = 0;
  for (const _ of value) length++;
  if (length > rule.maxLength) {
    return {
      ok: false,
      value,
      problem:
        `${rule.label} is ${length} characters long; the limit is ${rule.maxLength}.`,
    };
  }
  if (!rule.multiline && value.includes("\n")) {
    return {
      ok: false,
      value,
      problem: `${rule.label} must be on one line.`,
    };
  }
  const control = CONTROL.exec(value);
  if (control !== null) {
    return {
      ok: false,
      // Shown again without them, so sending the form again just works.
      value: value.replace(CONTROLS, ""),
      problem: `${rule.label} held a control character (${
        describe(control[0])
      }), which is not allowed; it was removed, please check and send again.`,
    };
  }
  return { ok: true, value };
}
