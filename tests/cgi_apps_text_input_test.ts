/** Checking typed text for the CGI applications (lib/cgi_apps/text_input.ts). */

import assert from "node:assert/strict";
import { checkText, type TextRule } from "../lib/cgi_apps/text_input.ts";

const LINE: TextRule = { label: "Name", maxLength: 5, multiline: false };
const AREA: TextRule = { label: "Message", maxLength: 20, multiline: true };

Deno.test("checkText trims, normalises and accepts ordinary text", () => {
  assert.deepEqual(checkText("  Ada \t", LINE), { ok: true, value: "Ada" });
  // e + combining acute becomes one é (NFC), so it counts once.
  assert.deepEqual(checkText("cafe\u0301", LINE), { ok: true, value: "café" });
  assert.deepEqual(checkText("🕷️🕸", LINE), { ok: true, value: "🕷️🕸" });
  assert.deepEqual(checkText("a\r\nb\rc\n", AREA), {
    ok: true,
    value: "a\nb\nc",
  });
});

Deno.test("checkText says what is missing or too long", () => {
  assert.deepEqual(checkText(null, LINE), {
    ok: false,
    value: "",
    problem: "Name is missing.",
  });
  assert.equal(
    (checkText(" \n ", AREA) as { problem: string }).problem,
    "Message is missing.",
  );
  // Code points, not UTF-16 units: five spiders fit, six do not.
  assert.equal(checkText("🕷".repeat(5), LINE).ok, true);
  const long = checkText("🕷".repeat(6), LINE);
  assert.equal(long.ok, false);
  assert.equal(
    (long as { problem: string }).problem,
    "Name is 6 characters long; the limit is 5.",
  );
  assert.equal(long.value, "🕷".repeat(6), "kept for the form");
});

Deno.test("checkText refuses line breaks in one-line fields", () => {
  const res = checkText("a\r\nb", LINE);
  assert.deepEqual(res, {
    ok: false,
    value: "a\nb",
    problem: "Name must be on one line.",
  });
});

Deno.test("checkText refuses control characters and shows the text without them", () => {
  for (
    const [raw, code] of [
      ["a\u0000b", "U+0000"],
      ["a\tb", "U+0009"],
      ["a\u001bb", "U+001B"],
      ["a\u007fb", "U+007F"],
      ["a\u0085b", "U+0085"],
    ]
  ) {
    const res = checkText(raw!, AREA);
    assert.equal(res.ok, false, JSON.stringify(raw));
    assert.equal(res.value, "ab");
    assert.match(
      (res as { problem: string }).problem,
      new RegExp(
        `^Message held a control character \\(${code!.replace("+", "\\+")}\\)`,
      ),
    );
  }
});
