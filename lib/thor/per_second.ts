/**
 * A run's figures second by second: requests completed, errors, and a
 * compact latency record per second, for `--csv` and the HTML chart.
 *
 * Each second keeps a sparse log-linear histogram (integer microseconds,
 * 32 sub-buckets per power of two, so a percentile is at most 1/32 above
 * the true value). Past {@link MAX_ROWS} rows, neighbouring rows merge, so
 * memory and the wire line stay bounded however long the run. A full HDR histogram per second would cost kilobytes
 * each; a sparse map costs only the buckets actually hit. Merging adds
 * bucket counts, so it is exact across processes.
 *
 * @module
 */

import { isCount } from "../common/json.ts";

/** Sub-buckets per power of two: a percentile is at most 1/32 above. */
const SUB_BITS = 5;
const SUB_BUCKETS = 2 ** SUB_BITS;
/** Values below this many µs have a bucket each. */
const LINEAR_LIMIT = 2 * SUB_BUCKETS;
/** Largest bucket index: a value of 2^40 µs (the histogram's own limit). */
const MAX_BUCKET = bucketOf(2 ** 40);
/**
 * Most rows kept: past it, neighbouring rows merge and each row covers
 * twice the seconds, so a day-long run costs what a 17-minute one does.
 */
export const MAX_ROWS = 1024;

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

/** The top in µs of a bucket of the first wire form (128 sub-buckets). */
function legacyTopUs(bucket: number): number {
  if (bucket < 256) return bucket;
  const shift = Math.floor((bucket - 256) / 128) + 1;
  return ((bucket - 256) % 128 + 129) * 2 ** shift - 1;
}

/** Requests, errors and latency buckets of one row (one or more seconds). */
interface Second {
  /** Responses completed in this row. */
  requests: number;
  /** Requests failed in this row. */
  errors: number;
  /** Latency bucket → responses. */
  buckets: Map<number, number>;
}

function emptySecond(): Second {
  return { requests: 0, errors: 0, buckets: new Map() };
}

function addInto(s: Second, o: Second): void {
  s.requests += o.requests;
  s.errors += o.errors;
  for (const [b, n] of o.buckets) s.buckets.set(b, (s.buckets.get(b) ?? 0) + n);
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

/**
 * The wire form: `width` seconds per row, then each row's `[requests,
 * errors, [[bucket, n], …]]`. A plain array of rows is the first form
 * (one second per row, 128 sub-buckets), still read.
 */
export interface PerSecondWire {
  /** Sub-buckets per power of two of the bucket numbers. */
  sub: number;
  /** Seconds per row. */
  width: number;
  /** The rows, from the start of the run. */
  rows: SecondWire[];
}

/**
 * Requests, errors and latency of each second of a run, in at most
 * {@link MAX_ROWS} rows whatever the run's length.
 */
export class PerSecond {
  #seconds: Array<Second | undefined> = [];
  #width = 1;

  /** Seconds each row covers: 1 until a run outgrows {@link MAX_ROWS}. */
  get width(): number {
    return this.#width;
  }

  /** The row of `second`, coarsening the rows when it lies past the last. */
  #at(second: number): Second {
    let row = Math.floor(second / this.#width);
    let s = this.#seconds[row];
    if (s === undefined) {
      while (row >= MAX_ROWS) {
        this.#coarsen();
        row = Math.floor(second / this.#width);
      }
      // Fill the gap so that the array stays dense (fast) and quiet seconds
      // still appear as rows.
      for (let i = this.#seconds.length; i <= row; i++) {
        this.#seconds[i] ??= emptySecond();
      }
      s = this.#seconds[row]!;
    }
    return s;
  }

  /** Doubles the row width, merging rows pairwise. */
  #coarsen(): void {
    const out: Second[] = [];
    this.#seconds.forEach((s, i) => {
      if (s === undefined) return;
      const half = i >> 1;
      const into = out[half] ??= emptySecond();
      addInto(into, s);
    });
    for (let i = 0; i < out.length; i++) out[i] ??= emptySecond();
    this.#seconds = out;
    this.#width *= 2;
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

  /** Number of rows recorded (the last one may be partial). */
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
    while (this.#width < other.#width) this.#coarsen();
    other.#seconds.forEach((o, i) => {
      if (o !== undefined) addInto(this.#at(i * other.#width), o);
    });
  }

  /**
   * One row per {@link width} seconds, covering at least `minSeconds` (so a
   * run's quiet tail still shows), with p50 and p99 in ms; `second` is the
   * row's start.
   */
  rows(minSeconds = 0): SecondRow[] {
    const rows: SecondRow[] = [];
    const n = Math.max(
      this.#seconds.length,
      Math.ceil(minSeconds / this.#width),
    );
    for (let i = 0; i < n; i++) {
      const s = this.#seconds[i];
      rows.push({
        second: i * this.#width,
        requests: s?.requests ?? 0,
        errors: s?.errors ?? 0,
        p50Ms: s ? percentileMs(s, 50) : null,
        p99Ms: s ? percentileMs(s, 99) : null,
      });
    }
    return rows;
  }

  /** The JSON-ready wire form. */
  toWire(): PerSecondWire {
    return {
      sub: SUB_BUCKETS,
      width: this.#width,
      rows: this.#seconds.map((s) => {
        const buckets = [...(s?.buckets ?? [])].sort((a, b) => a[0] - b[0]);
        return [s?.requests ?? 0, s?.errors ?? 0, buckets];
      }),
    };
  }

  /**
   * Reads {@link PerSecond.toWire} output (or the first, plain-array form).
   *
   * @throws {PerSecondWireError} when the shape or a count is wrong.
   */
  static fromWire(value: unknown): PerSecond {
    let entries: unknown = value;
    let width = 1;
    let legacy = true;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const wire = value as Record<string, unknown>;
      const w = wire.width;
      if (
        wire.sub !== SUB_BUCKETS || typeof w !== "number" ||
        !Number.isSafeInteger(w) || w < 1 || (w & (w - 1)) !== 0
      ) {
        throw new PerSecondWireError(
          "Per-second data needs sub-buckets of 32 and a power-of-two width",
        );
      }
      entries = wire.rows;
      width = w;
      legacy = false;
    }
    if (!Array.isArray(entries)) {
      throw new PerSecondWireError("Per-second data must be an array");
    }
    if (!legacy && entries.length > MAX_ROWS) {
      throw new PerSecondWireError(
        `Per-second data has more than ${MAX_ROWS} rows`,
      );
    }
    const out = new PerSecond();
    out.#width = width;
    const maxBucket = legacy ? 256 + 32 * 128 : MAX_BUCKET;
    entries.forEach((entry: unknown, i) => {
      const bad = (why: string) =>
        new PerSecondWireError(`Second ${i * width} is invalid: ${why}`);
      if (!Array.isArray(entry) || entry.length !== 3) {
        throw bad("expected [requests, errors, buckets]");
      }
      const [requests, errors, buckets] = entry as unknown[];
      if (!isCount(requests) || !isCount(errors) || !Array.isArray(buckets)) {
        throw bad("counts must be non-negative integers");
      }
      const s = emptySecond();
      const seen = new Set<number>();
      let sum = 0;
      for (const pair of buckets as unknown[]) {
        if (
          !Array.isArray(pair) || pair.length !== 2 || !isCount(pair[0]) ||
          !isCount(pair[1]) || pair[0] < 1 || pair[0] > maxBucket ||
          seen.has(pair[0])
        ) {
          throw bad("a latency bucket is malformed");
        }
        seen.add(pair[0]);
        // A first-form bucket lands in the bucket of its top value.
        const b = legacy ? bucketOf(legacyTopUs(pair[0])) : pair[0];
        s.buckets.set(b, (s.buckets.get(b) ?? 0) + pair[1]);
        sum += pair[1];
      }
      if (sum !== requests) {
        throw bad(`latency holds ${sum} samples for ${requests} responses`);
      }
      s.requests = requests;
      s.errors = errors;
      // A long first-form line coarsens as it is read.
      addInto(out.#at(i * width), s);
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
