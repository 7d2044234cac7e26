/**
 * Content codings (RFC 9110 section 8.4): which media types are worth
 * compressing, and which coding a request's `Accept-Encoding` (section
 * 12.5.3) asks for among those the server has: `br`, `gzip` or none
 * (`identity`), q-values, `*` and refusals (`;q=0`) included.
 *
 * @module
 */

import db from "mime-db";
import { DEFAULT_MEDIA_TYPE } from "./media_types.ts";

/** A content coding spidey can send; `identity` means none. */
export type ContentCoding = "br" | "gzip" | "identity";

/** A content coding that compresses. */
export type CompressedCoding = Exclude<ContentCoding, "identity">;

/** The compressed codings in the server's order of preference. */
export const COMPRESSED_CODINGS: readonly CompressedCoding[] = Object.freeze([
  "br",
  "gzip",
]);

/**
 * Bodies smaller than this are not compressed on the fly: the coding's
 * own framing eats most of the gain, and the CPU is better spent elsewhere.
 */
export const MIN_COMPRESSIBLE_BYTES = 1024;

/**
 * What the entity tag of a compressed variant is suffixed with (inside
 * the quotes, as Apache does), so each coding validates on its own.
 */
export const ETAG_SUFFIXES: Readonly<Record<CompressedCoding, string>> = Object
  .freeze({ br: "br", gzip: "gz" });

/** The file-name suffix of a precompressed copy ("sidecar") per coding. */
export const SIDECAR_SUFFIXES: Readonly<Record<CompressedCoding, string>> =
  Object.freeze({ br: ".br", gzip: ".gz" });

interface MimeEntry {
  compressible?: boolean;
}

// mime-db's flag, for the types it rates; structured-syntax suffixes and
// text/* otherwise. Unknown bytes (octet-stream, flagged compressible
// there) are as likely to be compressed already, so they are not.
const compressibleTypes = new Set<string>();
const incompressibleTypes = new Set<string>([DEFAULT_MEDIA_TYPE]);
for (const [type, raw] of Object.entries(db as Record<string, MimeEntry>)) {
  if (raw.compressible === true && type !== DEFAULT_MEDIA_TYPE) {
    compressibleTypes.add(type);
  } else if (raw.compressible === false) incompressibleTypes.add(type);
}
const COMPRESSIBLE_PATTERN = /^text\/|\+(?:json|xml|text)$/;

/**
 * True when bodies of media type `mediaType` (no parameters) shrink under
 * compression: text, JSON, JavaScript, SVG, XML, wasm and the like, not
 * images, audio, video or archives, which are compressed already.
 */
export function isCompressibleType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  const type = mediaType.toLowerCase();
  if (compressibleTypes.has(type)) return true;
  if (incompressibleTypes.has(type)) return false;
  return COMPRESSIBLE_PATTERN.test(type);
}

/** The weights a request gives codings; absent ones fall to `*`. */
interface Preferences {
  readonly weights: ReadonlyMap<string, number>;
  /** The weight of `*`, or undefined when not listed. */
  readonly star: number | undefined;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Weight given to `identity` when neither it nor `*` is listed: it stays
 * acceptable (RFC 9110 section 12.5.3) but loses to any listed coding.
 */
const IMPLICIT_IDENTITY_WEIGHT = 0.0001;

/**
 * The weights in an `Accept-Encoding` value. A malformed element (a bad
 * q-value, an unknown parameter) is ignored rather than guessed at.
 */
function parsePreferences(value: string): Preferences {
  const weights = new Map<string, number>();
  let star: number | undefined;
  for (const element of value.split(",")) {
    const parts = element.split(";");
    let coding = parts[0]!.trim().toLowerCase();
    if (coding === "") continue;
    if (coding === "x-gzip") coding = "gzip";
    let weight = 1;
    let valid = true;
    for (let i = 1; i < parts.length; i++) {
      const param = parts[i]!.trim();
      const eq = param.indexOf("=");
      const name = param.slice(0, eq < 0 ? param.length : eq).trim();
      const q = eq < 0 ? "" : param.slice(eq + 1).trim();
      if (name.toLowerCase() !== "q" || !QVALUE.test(q)) {
        valid = false;
        break;
      }
      weight = Number(q);
    }
    if (!valid) continue;
    if (coding === "*") star = weight;
    // A coding listed twice keeps its first weight.
    else if (!weights.has(coding)) weights.set(coding, weight);
  }
  return { weights, star };
}

// Clients send a handful of distinct values; parse each once.
const MEMO_LIMIT = 64;
const memo = new Map<string, Preferences>();

function preferencesOf(value: string): Preferences {
  let prefs = memo.get(value);
  if (prefs === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    prefs = parsePreferences(value);
    memo.set(value, prefs);
  }
  return prefs;
}

/**
 * The coding to answer with, given the request's `Accept-Encoding`
 * (`undefined` when absent) and the compressed codings the resource
 * `offered` (in any order; ties go to `br`, then `gzip`, then identity).
 * The highest weight wins; `identity` stays acceptable unless refused by
 * `identity;q=0`, or by `*;q=0` without identity listed. Null when
 * nothing offered is acceptable: a 406.
 */
export function negotiateContentCoding(
  acceptEncoding: string | undefined,
  offered: readonly CompressedCoding[],
): ContentCoding | null {
  // No header: any coding would do (RFC 9110), but identity is what
  // every client understands.
  if (acceptEncoding === undefined) return "identity";
  const { weights, star } = preferencesOf(acceptEncoding);
  let best: ContentCoding | null = null;
  let bestWeight = 0;
  for (const coding of COMPRESSED_CODINGS) {
    if (!offered.includes(coding)) continue;
    const weight = weights.get(coding) ?? star ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  const identity = weights.get("identity") ?? star ?? IMPLICIT_IDENTITY_WEIGHT;
  if (identity > bestWeight) return "identity";
  return best;
}

/**
 * True when this `Accept-Encoding` makes `identity` win whatever the
 * resource offers: it beats every compressed coding, so it beats any
 * subset of them. Lets a server skip looking for compressed variants.
 */
export function prefersIdentity(acceptEncoding: string | undefined): boolean {
  return negotiateContentCoding(acceptEncoding, COMPRESSED_CODINGS) ===
    "identity";
}

/**
 * True when `identity` is acceptable to a request with this
 * `Accept-Encoding`; false means a body that cannot be compressed (a
 * range, an image) gets a 406.
 */
export function acceptsIdentity(acceptEncoding: string | undefined): boolean {
  return negotiateContentCoding(acceptEncoding, []) !== null;
}
