/**
 * The guestbook CGI application (www/cgi-bin/guestbook) through a real
 * spidey process: the form, validation, escaping, Post/Redirect/Get,
 * paging, concurrent writers, a torn data file, restarts, and where its
 * data may live.
 *
 * The site is laid out as in the repository: DIR/www is the document root
 * (with a copy of the script), DIR/lib links to the repository's lib/, and
 * the data lands in DIR/spidey-data.
 */

import assert from "node:assert/strict";
import {
  APP_SPIDEY_ARGS,
  APP_TIMEOUT_MS,
  appSite,
  fetchPage,
  postForm,
} from "./helpers/cgi_app_site.ts";
import { rawRequest, type RawResponse } from "./helpers/raw_http.ts";
import { tempDocroot } from "./helpers/cgi_scripts.ts";
import { startSpidey } from "./helpers/spidey_process.ts";

const SCRIPT = "/cgi-bin/guestbook";
const TIMEOUT_MS = APP_TIMEOUT_MS;
const SPIDEY_ARGS = APP_SPIDEY_ARGS;

function site(extra: Parameters<typeof appSite>[1] = {}) {
  return appSite("guestbook", extra);
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function post(port: number, body: string, path = SCRIPT): Promise<RawResponse> {
  return postForm(port, path, body);
}

/** Entry names on a page, in the order shown. */
function namesOn(html: string): string[] {
  return [...html.matchAll(/<h3>(.*?)<\/h3>/g)].map((m) => m[1]!);
}

function dataLines(dir: string): string[] {
  const text = Deno.readTextFileSync(`${dir}/spidey-data/guestbook.jsonl`);
  assert.ok(text.endsWith("\n"), "the data file ends with a whole line");
  return text.slice(0, -1).split("\n");
}

Deno.test("guestbook: form, validation, escaping, paging, concurrency, restarts", async (t) => {
  await using dir = await site();
  const root = `${dir.path}/www`;
  let spidey = await startSpidey([...SPIDEY_ARGS, "-d", root]);
  try {
    await t.step("GET shows the form and an empty guestbook", async () => {
      const res = await fetchPage(spidey.port, SCRIPT);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(
        res.headers.get("content-security-policy")!,
        /default-src 'none'/,
      );
      assert.match(
        res.text,
        /<form method="post" action="\/cgi-bin\/guestbook">/,
      );
      assert.match(res.text, /No entries yet/);
      assert.match(res.text, /<a href="\/">/, "links back home");
      // Nothing is stored by looking.
      assert.throws(() => Deno.statSync(`${dir.path}/spidey-data`));
    });

    await t.step(
      "an invalid entry comes back with what to fix (422)",
      async () => {
        const res = await post(
          spidey.port,
          form({ name: "   ", message: "<script>alert(1)</script>" }),
        );
        assert.equal(res.status, 422);
        assert.match(res.text, /<li>Name is missing\.<\/li>/);
        assert.match(
          res.text,
          /<textarea[^>]*>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/textarea>/,
        );
        assert.doesNotMatch(res.text, /<script>/);

        const long = await post(
          spidey.port,
          form({ name: "n".repeat(61), message: "m".repeat(2001) }),
        );
        assert.equal(long.status, 422);
        assert.match(
          long.text,
          /Name is 61 characters long; the limit is 60\./,
        );
        assert.match(
          long.text,
          /Message is 2001 characters long; the limit is 2000\./,
        );
        assert.match(long.text, new RegExp(`value="${"n".repeat(61)}"`));

        const control = await post(
          spidey.port,
          form({ name: "bell\u0007", message: "ok" }),
        );
        assert.equal(control.status, 422);
        assert.match(control.text, /Name held a control character \(U\+0007\)/);
        assert.match(control.text, /value="bell"/, "shown again without it");

        const oneLine = await post(
          spidey.port,
          form({ name: "a\nb", message: "ok" }),
        );
        assert.equal(oneLine.status, 422);
        assert.match(oneLine.text, /Name must be on one line\./);
        assert.throws(() =>
          Deno.statSync(`${dir.path}/spidey-data/guestbook.jsonl`)
        );
      },
    );

    await t.step(
      "a valid entry redirects (303) and shows escaped",
      async () => {
        const res = await post(
          spidey.port,
          form({
            name: "<img src=x onerror=alert(1)>",
            message: 'line one\r\nline <b>two</b> & "three"',
          }),
        );
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), `${SCRIPT}?posted=1`);
        assert.equal(res.text, "");
        const page = await fetchPage(spidey.port, `${SCRIPT}?posted=1`);
        assert.equal(page.status, 200);
        assert.match(page.text, /Your entry was added/);
        assert.match(
          page.text,
          /<h3>&lt;img src=x onerror=alert\(1\)&gt;<\/h3>/,
        );
        assert.match(
          page.text,
          /<p>line one<br>\nline &lt;b&gt;two&lt;\/b&gt; &amp; &quot;three&quot;<\/p>/,
        );
        assert.doesNotMatch(page.text, /<img|<b>/);
      },
    );

    await t.step("50 concurrent entries are all stored, whole", async () => {
      // Each line is past PIPE_BUF (4096 bytes), so only the lock keeps
      // concurrent appends apart.
      const filler = "ü".repeat(1990);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post(
            spidey.port,
            form({ name: `writer ${i}`, message: `${filler} ${i}` }),
          )),
      );
      assert.deepEqual(results.map((r) => r.status), Array(50).fill(303));
      const lines = dataLines(dir.path);
      assert.equal(lines.length, 51);
      const names = new Set<string>();
      for (const line of lines.slice(1)) {
        const entry = JSON.parse(line);
        const n = Number(entry.name.slice("writer ".length));
        assert.equal(entry.message, `${filler} ${n}`);
        names.add(entry.name);
      }
      assert.equal(names.size, 50);
    });

    await t.step("pages hold 10 entries each, newest first", async () => {
      const order = dataLines(dir.path).map((l) => JSON.parse(l).name as string)
        .reverse();
      const seen: string[] = [];
      for (let n = 1; n <= 6; n++) {
        const res = await fetchPage(
          spidey.port,
          n === 1 ? SCRIPT : `${SCRIPT}?page=${n}`,
        );
        assert.equal(res.status, 200);
        assert.match(res.text, new RegExp(`Page ${n} of 6`));
        assert.equal(res.text.includes('rel="prev"'), n > 1);
        assert.equal(res.text.includes('rel="next"'), n < 6);
        if (n < 6) {
          assert.ok(
            res.text.includes(`rel="next" href="${SCRIPT}?page=${n + 1}"`),
          );
        }
        seen.push(...namesOn(res.text));
      }
      assert.equal(seen.length, 51);
      assert.deepEqual(
        seen,
        order.map((name) =>
          name.replaceAll("<", "&lt;").replaceAll(">", "&gt;")
        ),
      );
      const past = await fetchPage(spidey.port, `${SCRIPT}?page=7`);
      assert.equal(past.status, 404);
      assert.match(
        past.text,
        /There is no page 7: the guestbook has 6 pages\./,
      );
      for (const bad of ["0", "abc", "-1", "1.5"]) {
        const res = await fetchPage(spidey.port, `${SCRIPT}?page=${bad}`);
        assert.equal(res.status, 400, bad);
        assert.match(res.text, /whole number from 1 up/);
      }
    });

    await t.step("refused requests get a clear status", async () => {
      const head = await rawRequest(
        spidey.port,
        `HEAD ${SCRIPT} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        { timeoutMs: TIMEOUT_MS },
      );
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      const text = await rawRequest(
        spidey.port,
        `POST ${SCRIPT} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
          `Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi`,
        { timeoutMs: TIMEOUT_MS },
      );
      assert.equal(text.status, 415);
      assert.match(text.text, /application\/x-www-form-urlencoded/);
      const big = await post(
        spidey.port,
        form({ name: "x", message: "y".repeat(70_000) }),
      );
      assert.equal(big.status, 413);
      assert.equal(dataLines(dir.path).length, 51);
    });

    await t.step(
      "a torn last line is skipped, logged, and sealed off",
      async () => {
        const path = `${dir.path}/spidey-data/guestbook.jsonl`;
        Deno.writeTextFileSync(path, '{"time":"2025-01-01T00:00:00Z","na', {
          append: true,
        });
        const res = await fetchPage(spidey.port, SCRIPT);
        assert.equal(res.status, 200);
        assert.match(res.text, /1–10 of 51/);
        await spidey.waitForLog(
          /guestbook\.jsonl: skipped 1 unreadable line \(the first is line 52\)/,
          TIMEOUT_MS,
        );
        const added = await post(
          spidey.port,
          form({ name: "after the crash", message: "still here" }),
        );
        assert.equal(added.status, 303);
        const lines = Deno.readTextFileSync(path).split("\n");
        assert.equal(lines.at(-3), '{"time":"2025-01-01T00:00:00Z","na');
        assert.equal(JSON.parse(lines.at(-2)!).name, "after the crash");
        const again = await fetchPage(spidey.port, SCRIPT);
        assert.match(again.text, /1–10 of 52/);
        assert.equal(namesOn(again.text)[0], "after the crash");
      },
    );

    await t.step("entries survive a restart", async () => {
      await spidey.stop();
      spidey = await startSpidey([...SPIDEY_ARGS, "-d", root]);
      const res = await fetchPage(spidey.port, `${SCRIPT}?page=6`);
      assert.equal(res.status, 200);
      assert.match(res.text, /51–52 of 52/);
      const names = namesOn(res.text);
      assert.equal(names.length, 2);
      assert.equal(
        names[1],
        "&lt;img src=x onerror=alert(1)&gt;",
        "the oldest",
      );
    });
  } finally {
    await spidey[Symbol.asyncDispose]();
  }
});

Deno.test("guestbook: the data folder may be a symlink, never inside the docroot", async (t) => {
  await using elsewhere = await tempDocroot({});
  await using dir = await site({ "spidey-data": { symlink: elsewhere.path } });
  await using spidey = await startSpidey([
    ...SPIDEY_ARGS,
    "-d",
    `${dir.path}/www`,
  ]);

  await t.step("a symlinked data folder is followed", async () => {
    const res = await post(spidey.port, form({ name: "far", message: "away" }));
    assert.equal(res.status, 303, spidey.stderr());
    const stored = Deno.readTextFileSync(`${elsewhere.path}/guestbook.jsonl`);
    assert.equal(JSON.parse(stored).name, "far");
  });

  await t.step(
    "a data folder inside the document root is refused (500)",
    async () => {
      Deno.mkdirSync(`${dir.path}/www/data`);
      Deno.removeSync(`${dir.path}/spidey-data`);
      Deno.symlinkSync(`${dir.path}/www/data`, `${dir.path}/spidey-data`);
      const res = await post(
        spidey.port,
        form({ name: "leak", message: "me" }),
      );
      assert.equal(res.status, 500);
      assert.match(res.text, /cannot reach its data right now/);
      assert.doesNotMatch(res.text, /www\/data/, "no paths for the client");
      await spidey.waitForLog(/lies inside the document root/, TIMEOUT_MS);
      assert.deepEqual([...Deno.readDirSync(`${dir.path}/www/data`)], []);
    },
  );
});
