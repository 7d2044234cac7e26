/**
 * Latency histogram for thor: an HdrHistogram (3 significant digits, values
 * in integer microseconds) plus exact running min, max, mean and variance.
 *
 * The HDR part gives percentiles in constant memory with at most ~0.1%
 * relative error and merges exactly across processes; the exact part exists
 * because HDR's own mean and max are bucket estimates, and a report that
 * prints a max a few microseconds above anything observed is wrong.
 *
 * @module
 */

import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  JsHistogram,
} from "hdr-histogram-js";

/** HDR resolution: 3 significant digits keeps relative error below 1/1024. */
const SIGNIFICANT_DIGITS = 3;
/** 64-bit counts: a bucket cannot overflow however long a run lasts. */
const BIT_BUCKET_SIZE = 64;
/**
 * Upper bound of one sample, 2^40 µs (about 12.7 days). Anything larger is
 * a clock bug in the caller, and HDR would otherwise resize to fit it.
 */
const MAX_RECORDABLE_US = 2 ** 40;
/** Tag that opens a serialized histogram, so a format change is detectable. */
const WIRE_TAG = "h1";

/**
 * A serialized histogram or stats line that cannot be decoded.
 *
 * `code` is stable: `"BAD_HISTOGRAM"` or `"BAD_STATS_LINE"`.
 */
export class WireFormatError extends Error {
  /** A stable identifier for the kind of failure. */
  readonly code: string;

  /** Creates a decoding error with a stable `code` and a sentence-case message. */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WireFormatError";
    this.code = code;
  }
}

/** One bar of a latency distribution: samples in `[fromMs, toMs]`. */
export interface LatencyBin {
  /** Lower edge in milliseconds. */
  fromMs: number;
  /** Upper edge in milliseconds. */
  toMs: number;
  /** Samples that fell in this bin. */
  count: number;
}

function newHdr(): JsHistogram {
  const hdr = build({
    useWebAssembly: false,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: BIT_BUCKET_SIZE,
  });
  // Only the JS implementation can be iterated and added to another JS one.
  if (!(hdr instanceof JsHistogram)) {
    throw new TypeError("Expected a JavaScript HDR histogram");
  }
  return hdr;
}

function isNonNegativeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Latencies of many requests, recorded in milliseconds and stored as whole
 * microseconds (at least 1 µs). Memory does not grow with the number of
 * samples and nothing is ever dropped.
 */
export class LatencyHistogram {
  #hdr: JsHistogram;
  #count = 0;
  #minUs = Infinity;
  #maxUs = 0;
  // Welford's running mean and sum of squared deviations, in µs.
  #meanUs = 0;
  #m2 = 0;

  /** Creates an empty histogram. */
  constructor() {
    this.#hdr = newHdr();
  }

  /**
   * Records one latency in milliseconds (fractional allowed). Values below
   * 1 µs, including negative ones, are recorded as 1 µs.
   *
   * @throws {RangeError} when `ms` is not finite or exceeds about 12 days.
   */
  recordMs(ms: number): void {
    if (!Number.isFinite(ms)) {
      throw new RangeError(`Latency must be a finite number, got ${ms}`);
    }
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    else if (us > MAX_RECORDABLE_US) {
      throw new RangeError(`Latency of ${ms} ms is too large to record`);
    }
    this.#hdr.recordValue(us);
    const n = ++this.#count;
    const delta = us - this.#meanUs;
    this.#meanUs += delta / n;
    this.#m2 += delta * (us - this.#meanUs);
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** Adds every sample of `other`; `other` is left unchanged. */
  merge(other: LatencyHistogram): void {
    const nb = other.#count;
    if (nb === 0) return;
    const na = this.#count;
    const meanB = other.#meanUs;
    const m2B = other.#m2;
    const n = na + nb;
    const delta = meanB - this.#meanUs;
    // Chan et al.'s pairwise combination of two Welford accumulators.
    this.#meanUs += delta * (nb / n);
    this.#m2 += m2B + delta * delta * (na * nb / n);
    this.#count = n;
    if (other.#minUs < this.#minUs) this.#minUs = other.#minUs;
    if (other.#maxUs > this.#maxUs) this.#maxUs = other.#maxUs;
    this.#hdr.add(other.#hdr);
  }

  /** Number of recorded samples. */
  get count(): number {
    return this.#count;
  }

  /** Smallest sample in milliseconds (exact to the µs); 0 when empty. */
  minMs(): number {
    return this.#count === 0 ? 0 : this.#minUs / 1000;
  }

  /** Largest sample in milliseconds (exact to the µs); 0 when empty. */
  maxMs(): number {
    return this.#maxUs / 1000;
  }

  /** Mean in milliseconds; 0 when empty. */
  meanMs(): number {
    return this.#meanUs / 1000;
  }

  /** Population standard deviation in milliseconds; 0 when empty. */
  stdevMs(): number {
    return this.#count === 0 ? 0 : Math.sqrt(this.#m2 / this.#count) / 1000;
  }

  /**
   * The latency that `p` percent of samples are at or below, in
   * milliseconds (nearest rank, within 0.1% above the exact value and never
   * outside `[min, max]`); 0 when empty.
   *
   * @param p percentile in `[0, 100]`, e.g. `99.9`.
   * @throws {RangeError} when `p` is outside `[0, 100]`.
   */
  percentileMs(p: number): number {
    if (!(p >= 0 && p <= 100)) {
      throw new RangeError(`Percentile must be between 0 and 100, got ${p}`);
    }
    if (this.#count === 0) return 0;
    const us = this.#hdr.getValueAtPercentile(p);
    return Math.min(Math.max(us, this.#minUs), this.#maxUs) / 1000;
  }

  /**
   * Splits `[min, max]` into `bins` log-spaced bins (latency tails are long,
   * so equal-width bins would put nearly everything in the first one) and
   * counts the samples in each. Empty histogram: no bins.
   */
  distribution(bins: number): LatencyBin[] {
    if (!Number.isSafeInteger(bins) || bins < 1) {
      throw new RangeError(`Bin count must be a positive integer, got ${bins}`);
    }
    if (this.#count === 0) return [];
    const lo = this.#minUs;
    const hi = this.#maxUs;
    const n = hi === lo ? 1 : bins;
    const ratio = (hi / lo) ** (1 / n);
    const result: LatencyBin[] = [];
    for (let i = 0; i < n; i++) {
      const from = i === 0 ? lo : lo * ratio ** i;
      const to = i === n - 1 ? hi : lo * ratio ** (i + 1);
      result.push({ fromMs: from / 1000, toMs: to / 1000, count: 0 });
    }
    const logRatio = Math.log(ratio);
    const iterator = this.#hdr.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      const value = Math.min(
        Math.max(this.#hdr.medianEquivalentValue(step.valueIteratedTo), lo),
        hi,
      );
      const index = n === 1
        ? 0
        : Math.min(n - 1, Math.floor(Math.log(value / lo) / logRatio));
      const bin = result[index];
      if (bin) bin.count += step.countAtValueIteratedTo;
    }
    return result;
  }

  /**
   * A compact single-line form (no spaces inside fields, no newlines) that
   * {@link LatencyHistogram.deserialize} turns back into an equal
   * histogram: exact statistics followed by the compressed base64 HDR.
   */
  serialize(): string {
    const min = this.#count === 0 ? 0 : this.#minUs;
    return [
      WIRE_TAG,
      this.#count,
      min,
      this.#maxUs,
      this.#meanUs,
      this.#m2,
      encodeIntoCompressedBase64(this.#hdr),
    ].join(" ");
  }

  /**
   * Rebuilds a histogram from {@link LatencyHistogram.serialize} output.
   *
   * @throws {WireFormatError} with code `"BAD_HISTOGRAM"` on malformed input.
   */
  static deserialize(s: string): LatencyHistogram {
    const fail = (why: string, cause?: unknown): never => {
      throw new WireFormatError(
        "BAD_HISTOGRAM",
        `Serialized histogram is invalid: ${why}`,
        cause === undefined ? undefined : { cause },
      );
    };
    if (typeof s !== "string") fail("expected a string");
    const parts = s.split(" ");
    if (parts.length !== 7 || parts[0] !== WIRE_TAG || parts.includes("")) {
      fail(`expected "${WIRE_TAG}" and 6 fields`);
    }
    const [count, minUs, maxUs, meanUs, m2] = parts.slice(1, 6).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (
      !isNonNegativeInteger(count) || !isNonNegativeInteger(minUs) ||
      !isNonNegativeInteger(maxUs) || !Number.isFinite(meanUs) ||
      !Number.isFinite(m2) || m2 < 0
    ) {
      fail("statistics are not valid numbers");
    }
    if (
      count > 0 &&
      !(minUs >= 1 && minUs <= maxUs && maxUs <= MAX_RECORDABLE_US &&
        meanUs >= minUs && meanUs <= maxUs)
    ) {
      fail("statistics are inconsistent");
    }
    let decoded: JsHistogram | undefined;
    try {
      const hdr = decodeFromCompressedBase64(parts[6] ?? "", BIT_BUCKET_SIZE);
      if (hdr instanceof JsHistogram) decoded = hdr;
    } catch (error) {
      fail("the HDR payload does not decode", error);
    }
    if (!decoded) return fail("the HDR payload does not decode");
    if (decoded.totalCount !== count) {
      fail(`count ${count} does not match the HDR payload`);
    }
    if (decoded.numberOfSignificantValueDigits !== SIGNIFICANT_DIGITS) {
      fail("the HDR payload has a different precision");
    }
    if (count > 0 && decoded.maxValue > MAX_RECORDABLE_US * 2) {
      fail("the HDR payload holds values out of range");
    }
    const h = new LatencyHistogram();
    // Adding into a fresh histogram keeps our settings (autoResize, counts
    // width) whatever the decoder chose.
    h.#hdr.add(decoded);
    h.#count = count;
    if (count > 0) {
      h.#minUs = minUs;
      h.#maxUs = maxUs;
      h.#meanUs = meanUs;
      h.#m2 = m2;
    }
    return h;
  }
}
