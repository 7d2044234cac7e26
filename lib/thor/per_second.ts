/**
 * A run's figures second by second: requests completed, errors, and a
 * compact latency record per second, for `--csv` and the HTML chart.
 *
 * Each second keeps a sparse log-linear histogram (integer microseconds,
 * 128 sub-buckets per power of two, so a percentile is at most 1/128 above
 * the true value). A full HDR histogram per second would cost kilobytes
 * each; a sparse map costs only the buckets actually hit. Merging adds
 * bucket counts, so it is exact across processes.
 *
 * @module
 */

/** Values below this many µs have a bucket each. */
const LINEAR_LIMIT = 256;
/** Sub-buckets per power of two above {@link LINEAR_LIMIT}. */
const SUB_BUCKETS = 128;
const SUB_BITS = 7;
/** Largest bucket index: a value of 2^40 µs (the histogram's own limit). */
const MAX_BUCKET = bucketOf(2 ** 40);

/** The bucket that holds `us` (a whole number ≥ 1 of microseconds). */
function bucketOf(us: number): number {
  if (us < LINEAR_LIMIT) return us;
  const log2 = us < 2 ** 31 ? 31 - Math.clz32(us) : Math.floor(Math.log2(us));
  const shift = log2 - SUB_BITS;
  const sub = Math.floor(us / 2 ** shift) - SUB_BUCKETS;
  return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + sub;
}

/** The largest value in µs that falls in `bucket`. */
function bucketTopUs(bucket: number): number {
  if (bucket < LINEAR_LIMIT) return bucket;
  const shift = Math.floor((bucket - LINEAR_LIMIT) / SUB_BUCKETS) + 1;
  const sub = (bucket - LINEAR_LIMIT) % SUB_BUCKETS + SUB_BUCKETS;
  return (sub + 1) * 2 ** shift - 1;
}

/** What happened in one second of a run. */
interface Second {
  /** Responses completed in this second. */
  requests: number;
  /** Requests failed in this second. */
  errors: number;
  /** Latency bucket → responses. */
  buckets: Map<number, number>;
}

/** One second's figures, as `--csv` writes them. */
export interface SecondRow {
  /** Seconds since the start of the run (the second's start). */
  second: number;
  /** Responses completed in this second. */
  requests: number;
  /** Requests failed in this second. */
  errors: number;
  /** Median latency of this second's responses in ms; null when none. */
  p50Ms: number | null;
  /** 99th percentile latency in ms; null when none. */
  p99Ms: number | null;
}

/** The wire form of one second: `[requests, errors, [[bucket, n], …]]`. */
export type SecondWire = [number, number, Array<[number, number]>];

/** A per-second record that does not decode; the message says why. */
export class PerSecondWireError extends Error {
  /** Creates the error with a sentence-case message. */
  constructor(message: string) {
    super(message);
    this.name = "PerSecondWireError";
  }
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/** Requests, errors and latency of each second of a run. */
export class PerSecond {
  #seconds: Array<Second | undefined> = [];

  #at(second: number): Second {
    let s = this.#seconds[second];
    if (s === undefined) {
      // Fill the gap so that the array stays dense (fast) and quiet seconds
      // still appear as rows.
      for (let i = this.#seconds.length; i <= second; i++) {
        this.#seconds[i] ??= { requests: 0, errors: 0, buckets: new Map() };
      }
      s = this.#seconds[second]!;
    }
    return s;
  }

  /** Accounts one response in `second` with latency `us` (whole µs ≥ 1). */
  recordResponse(second: number, us: number): void {
    const s = this.#at(second);
    s.requests++;
    const b = bucketOf(us < 1 ? 1 : us);
    s.buckets.set(b, (s.buckets.get(b) ?? 0) + 1);
  }

  /** Accounts one failed request in `second`. */
  recordError(second: number): void {
    this.#at(second).errors++;
  }

  /** Number of seconds recorded (the last one may be partial). */
  get length(): number {
    return this.#seconds.length;
  }

  /** Total responses over every second. */
  get requests(): number {
    let n = 0;
    for (const s of this.#seconds) n += s?.requests ?? 0;
    return n;
  }

  /** Total errors over every second. */
  get errors(): number {
    let n = 0;
    for (const s of this.#seconds) n += s?.errors ?? 0;
    return n;
  }

  /** Adds every second of `other` to the same second here. */
  merge(other: PerSecond): void {
    other.#seconds.forEach((o, i) => {
      if (o === undefined) return;
      const s = this.#at(i);
      s.requests += o.requests;
      s.errors += o.errors;
      for (const [b, n] of o.buckets) {
        s.buckets.set(b, (s.buckets.get(b) ?? 0) + n);
      }
    });
  }

  /**
   * One row per second, at least `minSeconds` of them (so a run's quiet
   * tail still shows), with p50 and p99 in ms.
   */
  rows(minSeconds = 0): SecondRow[] {
    const rows: SecondRow[] = [];
    const n = Math.max(this.#seconds.length, minSeconds);
    for (let i = 0; i < n; i++) {
      const s = this.#seconds[i];
      rows.push({
        second: i,
        requests: s?.requests ?? 0,
        errors: s?.errors ?? 0,
        p50Ms: s ? percentileMs(s, 50) : null,
        p99Ms: s ? percentileMs(s, 99) : null,
      });
    }
    return rows;
  }

  /** The JSON-ready wire form, one entry per second. */
  toWire(): SecondWire[] {
    return this.#seconds.map((s) => {
      const buckets = [...(s?.buckets ?? [])].sort((a, b) => a[0] - b[0]);
      return [s?.requests ?? 0, s?.errors ?? 0, buckets];
    });
  }

  /**
   * Reads {@link PerSecond.toWire} output.
   *
   * @throws {PerSecondWireError} when the shape or a count is wrong.
   */
  static fromWire(value: unknown): PerSecond {
    if (!Array.isArray(value)) {
      throw new PerSecondWireError("Per-second data must be an array");
    }
    const out = new PerSecond();
    value.forEach((entry: unknown, i) => {
      const bad = (why: string) =>
        new PerSecondWireError(`Second ${i} is invalid: ${why}`);
      if (!Array.isArray(entry) || entry.length !== 3) {
        throw bad("expected [requests, errors, buckets]");
      }
      const [requests, errors, buckets] = entry as unknown[];
      if (!isCount(requests) || !isCount(errors) || !Array.isArray(buckets)) {
        throw bad("counts must be non-negative integers");
      }
      const s = out.#at(i);
      let sum = 0;
      for (const pair of buckets as unknown[]) {
        if (
          !Array.isArray(pair) || pair.length !== 2 || !isCount(pair[0]) ||
          !isCount(pair[1]) || pair[0] < 1 || pair[0] > MAX_BUCKET ||
          s.buckets.has(pair[0])
        ) {
          throw bad("a latency bucket is malformed");
        }
        s.buckets.set(pair[0], pair[1]);
        sum += pair[1];
      }
      if (sum !== requests) {
        throw bad(`latency holds ${sum} samples for ${requests} responses`);
      }
      s.requests = requests;
      s.errors = errors;
    });
    return out;
  }
}

/** Nearest-rank percentile of one second, in ms; null when empty. */
function percentileMs(s: Second, p: number): number | null {
  if (s.requests === 0) return null;
  const rank = Math.max(1, Math.ceil(p / 100 * s.requests));
  let seen = 0;
  for (const b of [...s.buckets.keys()].sort((x, y) => x - y)) {
    seen += s.buckets.get(b) ?? 0;
    if (seen >= rank) return bucketTopUs(b) / 1000;
  }
  return null;
}
