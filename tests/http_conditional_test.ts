import assert from "node:assert/strict";
import {
  entityTagListMatches,
  evaluatePreconditions,
  ifRangeHolds,
} from "../lib/http/conditional.ts";
import type { Validators } from "../lib/http/validators.ts";

const LAST_MODIFIED = Date.UTC(2024, 0, 2, 3, 4, 5);
const LAST_MODIFIED_TEXT = "Tue, 02 Jan 2024 03:04:05 GMT";
const NOW = Date.UTC(2025, 5, 1);
const STRONG: Validators = {
  etag: '"a1-400-18cc7b5c4e8"',
  lastModifiedMs: LAST_MODIFIED,
};
const WEAK: Validators = { ...STRONG, etag: `W/${STRONG.etag}` };

function headers(fields: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(fields));
}

Deno.test("entityTagListMatches compares weakly and strongly", () => {
  const tag = '"x1"';
  assert.equal(entityTagListMatches('"x1"', tag, false), true);
  assert.equal(entityTagListMatches('W/"x1"', tag, false), true);
  assert.equal(entityTagListMatches('W/"x1"', tag, true), false);
  assert.equal(entityTagListMatches('"x1"', 'W/"x1"', false), true);
  assert.equal(entityTagListMatches('"x1"', 'W/"x1"', true), false);
  assert.equal(entityTagListMatches('"x2"', tag, false), false);
  assert.equal(entityTagListMatches('"x"', tag, false), false);
  assert.equal(entityTagListMatches('"x10"', tag, false), false);
});

Deno.test("entityTagListMatches reads lists and the wildcard", () => {
  const tag = '"x1"';
  assert.equal(entityTagListMatches('"a", "b" ,"x1"', tag, false), true);
  assert.equal(entityTagListMatches('"a",W/"x1"', tag, false), true);
  assert.equal(entityTagListMatches(' , "x1" ,', tag, false), true);
  assert.equal(entityTagListMatches('"a,b", "x1"', tag, false), true);
  assert.equal(entityTagListMatches('"a", "b"', tag, false), false);
  assert.equal(entityTagListMatches("*", tag, false), true);
  assert.equal(entityTagListMatches(" * ", tag, true), true);
  assert.equal(entityTagListMatches("*", 'W/"x1"', true), true);
});

Deno.test("entityTagListMatches finds nothing in malformed lists", () => {
  const tag = '"x1"';
  for (
    const value of [
      "",
      "x1",
      '"x1',
      'w/"x1"',
      '"a" "x1"',
      '"a"; "x1"',
      '*, "x1"',
      'W/ "x1"',
    ]
  ) {
    assert.equal(entityTagListMatches(value, tag, false), false, value);
  }
});

Deno.test("If-None-Match decides before If-Modified-Since", () => {
  assert.equal(
    evaluatePreconditions(headers({ "if-none-match": STRONG.etag }), STRONG),
    "not-modified",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-none-match": "*" }), STRONG),
    "not-modified",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-none-match": `"other", ${WEAK.etag}` }),
      STRONG,
    ),
    "not-modified",
  );
  // RFC 9110 section 13.1.3: If-Modified-Since is ignored next to
  // If-None-Match, even when its date alone would give a 304.
  assert.equal(
    evaluatePreconditions(
      headers({
        "if-none-match": '"other"',
        "if-modified-since": LAST_MODIFIED_TEXT,
      }),
      STRONG,
      NOW,
    ),
    "proceed",
  );
});

Deno.test("If-Modified-Since gives 304 up to the modification time", () => {
  const at = (date: string) =>
    evaluatePreconditions(headers({ "if-modified-since": date }), STRONG, NOW);
  assert.equal(at(LAST_MODIFIED_TEXT), "not-modified");
  assert.equal(at("Wed, 03 Jan 2024 00:00:00 GMT"), "not-modified");
  assert.equal(at("Tue, 02 Jan 2024 03:04:04 GMT"), "proceed");
  assert.equal(at("Mon, 01 Jan 2024 00:00:00 GMT"), "proceed");
});

Deno.test("If-Modified-Since ignores bad, huge and future dates", () => {
  const at = (date: string) =>
    evaluatePreconditions(headers({ "if-modified-since": date }), STRONG, NOW);
  for (
    const bad of [
      "garbage",
      "",
      "Tue, 99 Foo 2024 03:04:05 GMT",
      "Fri, 31 Dec 99999999 23:59:59 GMT",
      "9".repeat(400),
      "Tue, 02 Jan 2024 03:04:05 GMT, Tue, 02 Jan 2024 03:04:05 GMT",
      // Date.parse takes these; an HTTP-date parser must not.
      "2025",
      "-1",
      "2024-06-01",
    ]
  ) {
    assert.equal(at(bad), "proceed", bad);
  }
  // A date after "now" cannot have come from this server.
  assert.equal(at("Thu, 01 Jan 2026 00:00:00 GMT"), "proceed");
});

Deno.test("If-Modified-Since cannot confirm weak validators", () => {
  // The file changed moments ago: another change in the same second would
  // keep the date, so only the entity tag may give a 304.
  assert.equal(
    evaluatePreconditions(
      headers({ "if-modified-since": LAST_MODIFIED_TEXT }),
      WEAK,
      NOW,
    ),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-none-match": WEAK.etag }), WEAK, NOW),
    "not-modified",
  );
});

Deno.test("validators without a modification time ignore date conditions", () => {
  const noDate: Validators = { etag: STRONG.etag, lastModifiedMs: null };
  assert.equal(
    evaluatePreconditions(
      headers({ "if-modified-since": LAST_MODIFIED_TEXT }),
      noDate,
      NOW,
    ),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT" }),
      noDate,
    ),
    "proceed",
  );
});

Deno.test("If-Match and If-Unmodified-Since fail with 412", () => {
  assert.equal(
    evaluatePreconditions(headers({ "if-match": '"other"' }), STRONG),
    "failed",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-match": STRONG.etag }), STRONG),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-match": "*" }), STRONG),
    "proceed",
  );
  // If-Match compares strongly: a weak tag never matches.
  assert.equal(
    evaluatePreconditions(headers({ "if-match": WEAK.etag }), WEAK),
    "failed",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT" }),
      STRONG,
    ),
    "failed",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-unmodified-since": LAST_MODIFIED_TEXT }),
      STRONG,
    ),
    "proceed",
  );
  for (const bad of ["nonsense", "-1", "1999"]) {
    assert.equal(
      evaluatePreconditions(headers({ "if-unmodified-since": bad }), STRONG),
      "proceed",
      bad,
    );
  }
  // If-Unmodified-Since is ignored next to If-Match.
  assert.equal(
    evaluatePreconditions(
      headers({
        "if-match": STRONG.etag,
        "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT",
      }),
      STRONG,
    ),
    "proceed",
  );
});

Deno.test("no conditional headers means proceed", () => {
  assert.equal(evaluatePreconditions(headers({}), STRONG), "proceed");
  assert.equal(
    evaluatePreconditions(headers({ range: "bytes=0-1" }), WEAK),
    "proceed",
  );
});

Deno.test("ifRangeHolds needs a strong match of tag or date", () => {
  assert.equal(ifRangeHolds(undefined, STRONG), true);
  assert.equal(ifRangeHolds(STRONG.etag, STRONG), true);
  assert.equal(ifRangeHolds(` ${STRONG.etag} `, STRONG), true);
  assert.equal(ifRangeHolds('"other"', STRONG), false);
  assert.equal(ifRangeHolds(`W/${STRONG.etag}`, STRONG), false);
  assert.equal(ifRangeHolds(LAST_MODIFIED_TEXT, STRONG), true);
  assert.equal(ifRangeHolds("Wed, 03 Jan 2024 00:00:00 GMT", STRONG), false);
  assert.equal(ifRangeHolds("garbage", STRONG), false);
  assert.equal(ifRangeHolds("", STRONG), false);
  // Weak validators cannot vouch for byte equality.
  assert.equal(ifRangeHolds(WEAK.etag, WEAK), false);
  assert.equal(ifRangeHolds(LAST_MODIFIED_TEXT, WEAK), false);
  assert.equal(
    ifRangeHolds(LAST_MODIFIED_TEXT, { ...STRONG, lastModifiedMs: null }),
    false,
  );
});

// Listings and thumbnails go through the same evaluation as files.

const NO_VALIDATORS = null;

Deno.test("a representation without validators matches only the wildcard", () => {
  assert.equal(entityTagListMatches('"x1"', null, false), false);
  assert.equal(entityTagListMatches('W/"x1"', null, false), false);
  assert.equal(entityTagListMatches("*", null, false), true);
  assert.equal(entityTagListMatches(" * ", null, true), true);
  assert.equal(
    evaluatePreconditions(headers({ "if-none-match": '"x1"' }), NO_VALIDATORS),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-none-match": "*" }), NO_VALIDATORS),
    "not-modified",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-match": '"x1"' }), NO_VALIDATORS),
    "failed",
  );
  assert.equal(
    evaluatePreconditions(headers({ "if-match": "*" }), NO_VALIDATORS),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-modified-since": LAST_MODIFIED_TEXT }),
      NO_VALIDATORS,
      NOW,
    ),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT" }),
      NO_VALIDATORS,
      NOW,
    ),
    "proceed",
  );
  assert.equal(
    evaluatePreconditions(
      headers({ "if-match": '"x1"', "if-none-match": "*" }),
      NO_VALIDATORS,
    ),
    "failed",
  );
  assert.equal(evaluatePreconditions(headers({}), NO_VALIDATORS), "proceed");
});

Deno.test("If-Modified-Since answers for a strong content tag with a date, as listings have", () => {
  // A listing's tag is a hash of its bytes: strong, so its date counts.
  const listing: Validators = {
    etag: '"2a-0123456789abcdef"',
    lastModifiedMs: LAST_MODIFIED,
  };
  const at = (fields: Record<string, string>) =>
    evaluatePreconditions(headers(fields), listing, NOW);
  assert.equal(at({ "if-modified-since": LAST_MODIFIED_TEXT }), "not-modified");
  assert.equal(
    at({ "if-modified-since": "Sunday, 07-Jan-24 00:00:00 GMT" }),
    "not-modified",
  );
  assert.equal(
    at({ "if-modified-since": "Mon, 01 Jan 2024 23:59:59 GMT" }),
    "proceed",
  );
  // Weak comparison for If-None-Match, strong for If-Match.
  assert.equal(at({ "if-none-match": `W/${listing.etag}` }), "not-modified");
  assert.equal(at({ "if-match": `W/${listing.etag}` }), "failed");
  assert.equal(at({ "if-match": listing.etag }), "proceed");
  // If-Match is evaluated first: a failed one wins over a matching
  // If-None-Match.
  assert.equal(
    at({ "if-match": '"other"', "if-none-match": listing.etag }),
    "failed",
  );
});
