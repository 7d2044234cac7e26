import assert from "node:assert/strict";
import {
  acceptsIdentity,
  COMPRESSED_CODINGS,
  isCompressibleType,
  negotiateContentCoding,
  prefersIdentity,
} from "../lib/http/content_coding.ts";
import { variantEntityTag } from "../lib/http/validators.ts";

const BOTH = COMPRESSED_CODINGS;

Deno.test("content coding: no header means identity, an empty one too", () => {
  assert.equal(negotiateContentCoding(undefined, BOTH), "identity");
  assert.equal(negotiateContentCoding("", BOTH), "identity");
  assert.equal(negotiateContentCoding("  ", BOTH), "identity");
});

Deno.test("content coding: the usual browser and curl headers get br, then gzip", () => {
  assert.equal(negotiateContentCoding("gzip, deflate, br, zstd", BOTH), "br");
  assert.equal(negotiateContentCoding("deflate, gzip, br, zstd", BOTH), "br");
  assert.equal(negotiateContentCoding("gzip, deflate", BOTH), "gzip");
  assert.equal(negotiateContentCoding("GZIP", BOTH), "gzip");
  assert.equal(negotiateContentCoding("x-gzip", BOTH), "gzip");
  assert.equal(negotiateContentCoding("gzip, br", ["gzip"]), "gzip");
  assert.equal(negotiateContentCoding("br", ["gzip"]), "identity");
  assert.equal(negotiateContentCoding("zstd, deflate", BOTH), "identity");
});

Deno.test("content coding: identity is preferred only when it beats every coding", () => {
  assert.equal(prefersIdentity(undefined), true);
  assert.equal(prefersIdentity(""), true);
  assert.equal(prefersIdentity("zstd, deflate"), true);
  assert.equal(prefersIdentity("identity, gzip;q=0.5"), true);
  assert.equal(prefersIdentity("gzip;q=0, br;q=0"), true);
  // A coding that would win where offered: the variants must be weighed.
  assert.equal(prefersIdentity("gzip, deflate, br"), false);
  assert.equal(prefersIdentity("br"), false);
  assert.equal(prefersIdentity("*"), false);
  // Identity refused: not preferred (a 406 or a coding, by what is offered).
  assert.equal(prefersIdentity("identity;q=0"), false);
});

Deno.test("content coding: q-values choose, ties go to the server's order", () => {
  assert.equal(negotiateContentCoding("br;q=0.5, gzip;q=0.8", BOTH), "gzip");
  assert.equal(negotiateContentCoding("br; q=0.9, gzip;Q=0.9", BOTH), "br");
  assert.equal(
    negotiateContentCoding("gzip;q=0.5, identity", BOTH),
    "identity",
  );
  assert.equal(negotiateContentCoding("gzip, identity", BOTH), "gzip");
  // identity unlisted stays acceptable but loses to any listed coding.
  assert.equal(negotiateContentCoding("gzip;q=0.001", BOTH), "gzip");
  assert.equal(negotiateContentCoding("*", BOTH), "br");
  assert.equal(negotiateContentCoding("*;q=0.5, br;q=0.4", BOTH), "gzip");
  assert.equal(negotiateContentCoding("*;q=0.5, identity", BOTH), "identity");
});

Deno.test("content coding: q=0 refuses, and 406 only when nothing is left", () => {
  assert.equal(negotiateContentCoding("br;q=0", BOTH), "identity");
  assert.equal(negotiateContentCoding("br;q=0, gzip", BOTH), "gzip");
  assert.equal(negotiateContentCoding("gzip, identity;q=0", BOTH), "gzip");
  assert.equal(negotiateContentCoding("gzip, *;q=0", BOTH), "gzip");
  assert.equal(negotiateContentCoding("identity;q=0", BOTH), null);
  assert.equal(negotiateContentCoding("*;q=0", BOTH), null);
  assert.equal(negotiateContentCoding("*;q=0", []), null);
  assert.equal(negotiateContentCoding("*;q=0, identity", []), "identity");
  assert.equal(negotiateContentCoding("gzip, identity;q=0", []), null);
  assert.equal(negotiateContentCoding("identity;q=0.000", BOTH), null);
  assert.equal(acceptsIdentity(undefined), true);
  assert.equal(acceptsIdentity("gzip, br"), true);
  assert.equal(acceptsIdentity("br, identity;q=0"), false);
});

Deno.test("content coding: malformed elements are ignored, not guessed at", () => {
  // q above 1, too many digits, not a number, unknown parameter.
  assert.equal(negotiateContentCoding("br;q=2, gzip", BOTH), "gzip");
  assert.equal(negotiateContentCoding("br;q=0.0001, gzip", BOTH), "gzip");
  assert.equal(negotiateContentCoding("br;q=abc", BOTH), "identity");
  assert.equal(negotiateContentCoding("br;level=1", BOTH), "identity");
  // An ignored refusal refuses nothing.
  assert.equal(negotiateContentCoding("identity;q=-0", BOTH), "identity");
  assert.equal(negotiateContentCoding(",,br,,", BOTH), "br");
  // The first of a repeated coding counts.
  assert.equal(negotiateContentCoding("br;q=0, br", BOTH), "identity");
});

Deno.test("content coding: compressible types follow mime-db, not guesses", () => {
  for (
    const type of [
      "text/html",
      "text/css",
      "text/plain",
      "text/javascript",
      "application/javascript",
      "application/json",
      "application/manifest+json",
      "image/svg+xml",
      "application/xml",
      "application/wasm",
      "text/x-unknown-thing",
      "application/vnd.example+json",
    ]
  ) assert.equal(isCompressibleType(type), true, type);
  for (
    const type of [
      "image/png",
      "image/jpeg",
      "image/webp",
      "video/mp4",
      "audio/mpeg",
      "application/zip",
      "application/gzip",
      "application/pdf",
      "font/woff2",
      "application/octet-stream",
    ]
  ) assert.equal(isCompressibleType(type), false, type);
  assert.equal(isCompressibleType(undefined), false);
});

Deno.test("content coding: variant tags keep weakness and differ per coding", () => {
  assert.equal(variantEntityTag('"1-2-3"', "br"), '"1-2-3-br"');
  assert.equal(variantEntityTag('W/"1-2-3"', "gz"), 'W/"1-2-3-gz"');
});
