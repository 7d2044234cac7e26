/**
 * The guestbook's parts without a server (lib/cgi_apps/guestbook*.ts):
 * the form check, stored entries, paging and the rendered HTML, and the
 * application on a temporary data folder.
 */

import assert from "node:assert/strict";
import type { AppRequest } from "../lib/cgi_apps/cgi_request.ts";
import { GUESTBOOK_FILE, guestbookApp } from "../lib/cgi_apps/guestbook.ts";
import {
  acceptEntry,
  checkEntryForm,
} from "../lib/cgi_apps/guestbook_entry.ts";
import {
  EMPTY_FORM,
  multilineHtml,
  PAGE_SIZE,
  pageCount,
  parsePageNumber,
  renderGuestbook,
} from "../lib/cgi_apps/guestbook_page.ts";

const NOW = new Date("2025-06-01T12:34:56.789Z");
const SCRIPT = "/cgi-bin/guestbook";

function request(
  query = "",
  form: Record<string, string> | null = null,
): AppRequest {
  return {
    method: form === null ? "GET" : "POST",
    query: new URLSearchParams(query),
    form: form === null ? null : new URLSearchParams(form),
    scriptName: SCRIPT,
  };
}

Deno.test("checkEntryForm accepts a clean entry stamped with the time", () => {
  const res = checkEntryForm(
    new URLSearchParams({ name: " Ada ", message: "Hi\r\nthere " }),
    NOW,
  );
  assert.deepEqual(res, {
    ok: true,
    entry: {
      time: "2025-06-01T12:34:56.789Z",
      name: "Ada",
      message: "Hi\nthere",
    },
  });
});

Deno.test("checkEntryForm lists every problem and keeps what was typed", () => {
  const res = checkEntryForm(
    new URLSearchParams({ message: "x".repeat(2001) }),
    NOW,
  );
  assert.deepEqual(res, {
    ok: false,
    name: "",
    message: "x".repeat(2001),
    problems: [
      "Name is missing.",
      "Message is 2001 characters long; the limit is 2000.",
    ],
  });
});

Deno.test("acceptEntry takes stored entries and nothing else", () => {
  const good = { time: "2025-06-01T12:00:00.000Z", name: "a", message: "b" };
  assert.deepEqual(acceptEntry(good), good);
  assert.deepEqual(acceptEntry({ ...good, extra: 1 }), good);
  for (
    const bad of [
      null,
      "text",
      [good],
      { ...good, name: "" },
      { ...good, message: 5 },
      { ...good, time: "yesterday" },
      { name: "a", message: "b" },
    ]
  ) {
    assert.equal(acceptEntry(bad), null, JSON.stringify(bad));
  }
});

Deno.test("page numbers: whole numbers from 1, absent means 1, others null", () => {
  assert.equal(parsePageNumber(null), 1);
  assert.equal(parsePageNumber("3"), 3);
  for (const bad of ["", "0", "-1", "01", "1.0", "1e3", " 2", "9999999999"]) {
    assert.equal(parsePageNumber(bad), null, bad);
  }
  assert.deepEqual([0, 1, 10, 11, 20, 21].map(pageCount), [1, 1, 1, 2, 2, 3]);
  assert.equal(PAGE_SIZE, 10);
});

Deno.test("multilineHtml escapes first, then turns line feeds into <br>", () => {
  assert.equal(
    multilineHtml("<br>\n&amp;\"'"),
    "&lt;br&gt;<br>\n&amp;amp;&quot;&#39;",
  );
});

Deno.test("renderGuestbook shows one page newest first with links both ways", () => {
  const entries = Array.from({ length: 25 }, (_, i) => ({
    time: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    name: `n${i}`,
    message: `m${i}`,
  }));
  const names = (html: string) =>
    [...html.matchAll(/<h3>(.*?)<\/h3>/g)].map((m) => m[1]);
  const first = renderGuestbook(SCRIPT, entries, 1, EMPTY_FORM);
  assert.deepEqual(
    names(first),
    Array.from({ length: 10 }, (_, i) => `n${24 - i}`),
  );
  assert.match(first, /1–10 of 25, newest first/);
  assert.doesNotMatch(first, /rel="prev"/);
  assert.match(first, /<a rel="next" href="\/cgi-bin\/guestbook\?page=2">/);
  const second = renderGuestbook(SCRIPT, entries, 2, EMPTY_FORM);
  assert.match(second, /<a rel="prev" href="\/cgi-bin\/guestbook">/);
  assert.match(second, /rel="next" href="\/cgi-bin\/guestbook\?page=3"/);
  const last = renderGuestbook(SCRIPT, entries, 3, EMPTY_FORM);
  assert.deepEqual(names(last), ["n4", "n3", "n2", "n1", "n0"]);
  assert.match(last, /21–25 of 25/);
  assert.doesNotMatch(last, /rel="next"/);
  assert.match(
    last,
    /<time datetime="2025-01-01T00:00:00.000Z">2025-01-01 00:00 UTC<\/time>/,
  );
});

Deno.test("renderGuestbook escapes everything a visitor typed", () => {
  const evil = `"><script>alert(1)</script>`;
  const html = renderGuestbook(
    SCRIPT,
    [{ time: NOW.toISOString(), name: evil, message: `${evil}\n${evil}` }],
    1,
    { name: evil, message: `</textarea>${evil}`, problems: [evil] },
  );
  assert.doesNotMatch(html, /<script/);
  assert.match(html, />&lt;\/textarea&gt;&quot;&gt;&lt;script&gt;/);
  assert.match(
    html,
    /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/,
  );
  assert.match(html, /<li>&quot;&gt;&lt;script&gt;/);
});

Deno.test("guestbookApp stores an entry and shows it after the redirect", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const ctx = { dataDir: `${dir}/data`, documentRoot: `${dir}/www` };
    const empty = guestbookApp(request(), ctx);
    assert.equal(empty.status, 200);
    assert.match(empty.body, /No entries yet/);

    const invalid = guestbookApp(request("", { name: "x" }), ctx, NOW);
    assert.equal(invalid.status, 422);
    assert.match(invalid.body, /Message is missing\./);
    assert.throws(() => Deno.statSync(`${dir}/data/${GUESTBOOK_FILE}`));

    const added = guestbookApp(
      request("", { name: "Ada", message: "Hello" }),
      ctx,
      NOW,
    );
    assert.equal(added.status, 303);
    assert.deepEqual(added.headers[0], ["Location", `${SCRIPT}?posted=1`]);
    assert.equal(
      Deno.readTextFileSync(`${dir}/data/${GUESTBOOK_FILE}`),
      '{"time":"2025-06-01T12:34:56.789Z","name":"Ada","message":"Hello"}\n',
    );
    const shown = guestbookApp(request("posted=1"), ctx);
    assert.match(shown.body, /Thank you! Your entry was added\./);
    assert.match(shown.body, /<h3>Ada<\/h3>/);

    assert.equal(guestbookApp(request("page=2"), ctx).status, 404);
    assert.equal(guestbookApp(request("page=x"), ctx).status, 400);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
