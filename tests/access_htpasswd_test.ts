/**
 * htpasswd files: entries made here by the same tools users have (bcrypt
 * through bcryptjs, {SHA} through WebCrypto, $apr1$ through
 * `openssl passwd -apr1` when openssl is there) check their password and
 * only it; lines spidey cannot check are refused, naming the line.
 */

import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import {
  entryFromPair,
  HtpasswdError,
  parseHtpasswd,
  verifyPassword,
} from "../lib/server/access/htpasswd.ts";
import { BasicAuth, parseBasicCredentials } from "../lib/server/access/auth.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";

async function shaEntry(password: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(password),
  );
  return "{SHA}" + btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** `openssl passwd -apr1`, or null without openssl. */
async function apr1Entry(password: string): Promise<string | null> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["passwd", "-apr1", password],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

Deno.test("htpasswd: bcrypt ($2y$, $2a$, $2b$), {SHA} and $apr1$ entries check", async () => {
  const b = bcrypt.hashSync("s3cret", 4);
  const lines = [
    "# staff",
    "",
    `bee:${b}`,
    `why:${b.replace(/^\$2.\$/, "$2y$")}`,
    `aye:${b.replace(/^\$2.\$/, "$2a$")}`,
    `sha:${await shaEntry("s3cret")}`,
  ];
  const apr1 = await apr1Entry("s3cret");
  if (apr1 !== null) lines.push(`apr:${apr1}`);
  const entries = parseHtpasswd(lines.join("\r\n") + "\n", "test");
  assert.equal(entries.length, apr1 === null ? 4 : 5);
  for (const entry of entries) {
    assert.equal(await verifyPassword(entry, "s3cret"), true, entry.user);
    assert.equal(await verifyPassword(entry, "s3cret "), false, entry.user);
    assert.equal(await verifyPassword(entry, ""), false, entry.user);
  }
  const pair = entryFromPair("ann:pa:ss");
  assert.equal(pair.user, "ann");
  assert.ok(!pair.hash.includes("pa:ss"), "only a digest is kept");
  assert.equal(await verifyPassword(pair, "pa:ss"), true);
  assert.equal(await verifyPassword(pair, "pa"), false);
});

Deno.test("htpasswd: lines spidey cannot check are refused with their number", () => {
  const cases: Array<[string, RegExp]> = [
    ["ann:plaintext", /line 1 \(user "ann"\) has a hash spidey cannot check/],
    ["# c\nann:rl3Q5Jk6HgkqQ", /line 2 .* cannot check/], // crypt(3)
    ["ann:$apr1$short$x", /line 1 .* cannot check/],
    ["nocolon", /line 1 is not "user:hash"/],
    [":{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", /line 1 is not "user:hash"/],
    [
      "a:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\na:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
      /line 2 repeats user "a"/,
    ],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseHtpasswd(text, "pw"), (err: unknown) => {
      assert.ok(err instanceof HtpasswdError);
      assert.equal(err.code, "HTPASSWD_INVALID");
      assert.match(err.message, pattern);
      return true;
    });
  }
});

Deno.test("Basic credentials: decoded as RFC 7617 says, garbage refused", () => {
  assert.deepEqual(parseBasicCredentials(`Basic ${btoa("ann:pa:ss")}`), {
    user: "ann",
    password: "pa:ss",
  });
  assert.deepEqual(parseBasicCredentials(`basic   ${btoa("a:")}`), {
    user: "a",
    password: "",
  });
  const utf8 = btoa(String.fromCharCode(...new TextEncoder().encode("zoë:ü")));
  assert.deepEqual(parseBasicCredentials(`Basic ${utf8}`), {
    user: "zoë",
    password: "ü",
  });
  assert.equal(parseBasicCredentials("Bearer abc"), null);
  assert.equal(parseBasicCredentials(`Basic ${btoa("nocolon")}`), null);
  assert.equal(parseBasicCredentials("Basic !!!"), null);
  assert.equal(parseBasicCredentials(`Basic ${btoa("\xff:x")}`), null);
});

Deno.test("BasicAuth: outcomes, and a good bcrypt login remembered", async () => {
  const entries = parseHtpasswd(
    `ann:${bcrypt.hashSync("right", 4)}\n`,
    "pw",
  );
  const auth = new BasicAuth(entries, 'Q"uote');
  assert.equal(auth.challenge, 'Basic realm="Q\\"uote", charset="UTF-8"');
  const req = (header?: string) =>
    ({
      headers: new Map(header === undefined ? [] : [["authorization", header]]),
    }) as unknown as HttpRequest;
  assert.deepEqual(await auth.check(req()), { ok: false, reason: "missing" });
  assert.deepEqual(await auth.check(req("Basic %%")), {
    ok: false,
    reason: "malformed",
  });
  assert.deepEqual(await auth.check(req(`Basic ${btoa("bob:right")}`)), {
    ok: false,
    reason: "unknown-user",
  });
  assert.deepEqual(await auth.check(req(`Basic ${btoa("ann:wrong")}`)), {
    ok: false,
    reason: "wrong-password",
  });
  const good = req(`Basic ${btoa("ann:right")}`);
  assert.deepEqual(await auth.check(good), { ok: true, user: "ann" });
  // Remembered: the second check does not call bcrypt at all.
  const compare = bcrypt.compare;
  let calls = 0;
  (bcrypt as { compare: unknown }).compare = (...args: unknown[]) => {
    calls++;
    return (compare as (...a: unknown[]) => unknown)(...args);
  };
  try {
    assert.deepEqual(await auth.check(good), { ok: true, user: "ann" });
    assert.equal(calls, 0);
    assert.deepEqual(await auth.check(req(`Basic ${btoa("ann:other")}`)), {
      ok: false,
      reason: "wrong-password",
    });
    assert.equal(calls, 1, "a new wrong password is checked, not let in");
  } finally {
    (bcrypt as { compare: unknown }).compare = compare;
  }
});

Deno.test("BasicAuth: checks limited, wrong guesses remembered, unknown users pay a check", async () => {
  const entries = parseHtpasswd(
    `ann:${bcrypt.hashSync("right", 4)}\nbea:${bcrypt.hashSync("x", 4)}\n`,
    "pw",
  );
  // A spy in place of bcrypt: each check waits until the test lets it end.
  const calls: { user: string; password: string; end: () => void }[] = [];
  let clock = 0;
  const auth = new BasicAuth(entries, {
    checkSlots: 2,
    failedCacheMs: 10_000,
    now: () => clock,
    verify: (entry, password) =>
      new Promise<boolean>((resolve) =>
        calls.push({
          user: entry.user,
          password,
          end: () => resolve(password === "right" && entry.user === "ann"),
        })
      ),
  });
  const req = (user: string, password: string) =>
    ({
      headers: new Map([[
        "authorization",
        `Basic ${btoa(`${user}:${password}`)}`,
      ]]),
    }) as unknown as HttpRequest;

  const guesses = [1, 2, 3, 4, 5].map((i) => auth.check(req("ann", `g${i}`)));
  await Promise.resolve();
  assert.equal(calls.length, 2, "two checks run at once, no more");
  assert.equal(auth.checksRunning, 2);
  for (const c of calls) c.end();
  const outcomes = (await Promise.all(guesses)).map((o) =>
    o.ok ? "ok" : o.reason
  );
  assert.deepEqual(outcomes, [
    "wrong-password",
    "wrong-password",
    "busy",
    "busy",
    "busy",
  ]);
  assert.equal(auth.checksRunning, 0);

  // The same wrong guess again: answered from memory, no check.
  assert.deepEqual(await auth.check(req("ann", "g1")), {
    ok: false,
    reason: "wrong-password",
  });
  assert.equal(calls.length, 2);
  // Forgotten after the window: checked again.
  clock += 10_001;
  const again = auth.check(req("ann", "g1"));
  assert.equal(calls.length, 3);
  calls[2]!.end();
  assert.equal((await again).ok, false);

  // An unknown user costs a real check too (so timing tells nothing),
  // whose result is ignored, and is remembered like a wrong password.
  const unknown = auth.check(req("zed", "right"));
  assert.equal(calls.length, 4);
  assert.equal(calls[3]!.user, "ann", "checked against a real entry");
  calls[3]!.end();
  assert.deepEqual(await unknown, { ok: false, reason: "unknown-user" });
  assert.deepEqual(await auth.check(req("zed", "right")), {
    ok: false,
    reason: "unknown-user",
  });
  assert.equal(calls.length, 4);

  // Good credentials still get through, and later need no slot at all.
  const good = auth.check(req("ann", "right"));
  calls[4]!.end();
  assert.deepEqual(await good, { ok: true, user: "ann" });
  const busy = [auth.check(req("bea", "a")), auth.check(req("bea", "b"))];
  assert.deepEqual(await auth.check(req("ann", "right")), {
    ok: true,
    user: "ann",
  });
  for (const c of calls.slice(5)) c.end();
  await Promise.all(busy);
});
