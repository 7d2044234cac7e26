/** Signed client-side state (lib/cgi_apps/signed_token.ts). */

import assert from "node:assert/strict";
import { TokenSigner } from "../lib/cgi_apps/signed_token.ts";

const KEY = new Uint8Array(32).fill(7);

Deno.test("a token verifies for its value and nothing else", async () => {
  const signer = await TokenSigner.create(KEY, "quiz/1");
  const sig = await signer.sign("0123");
  assert.match(sig, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(await signer.sign("0123"), sig, "deterministic");
  assert.equal(await signer.verify("0123", sig), true);
  for (const value of ["0124", "012", "01230", ""]) {
    assert.equal(await signer.verify(value, sig), false, value);
  }
});

Deno.test("a changed, short or malformed signature is refused", async () => {
  const signer = await TokenSigner.create(KEY, "quiz/1");
  const sig = await signer.sign("0123");
  const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
  for (const bad of [flipped, sig.slice(1), `${sig}A`, "", "!".repeat(43)]) {
    assert.equal(await signer.verify("0123", bad), false, bad);
  }
});

Deno.test("another key or scope makes other tokens", async () => {
  const a = await TokenSigner.create(KEY, "quiz/1");
  const b = await TokenSigner.create(KEY, "quiz/2");
  const c = await TokenSigner.create(new Uint8Array(32).fill(8), "quiz/1");
  const sig = await a.sign("01");
  assert.equal(await b.verify("01", sig), false);
  assert.equal(await c.verify("01", sig), false);
  // The scope is length-prefixed, so no other split of the same text
  // (scope "a", value "b:c") matches scope "a:b", value "c".
  const ab = await TokenSigner.create(KEY, "a:b");
  const onlyA = await TokenSigner.create(KEY, "a");
  assert.equal(await onlyA.verify("b:c", await ab.sign("c")), false);
});
