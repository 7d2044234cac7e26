/**
 * What a heartbeat receiver knows about one sender: which sequence numbers
 * arrived in order, which are missing (gaps), which came late (reordered)
 * or twice, and the one-way delays. Pure bookkeeping, no sockets.
 *
 * @module
 */

/** How one beat relates to the ones before it. */
export type BeatKind =
  | "first"
  | "in-order"
  | "gap"
  | "reordered"
  | "duplicate";

/** A range of sequence numbers, both ends included. */
export interface SeqRange {
  /** First sequence number of the range. */
  from: number;
  /** Last sequence number of the range. */
  to: number;
}

/** The verdict on one beat. */
export interface BeatEvent {
  /** How the beat relates to earlier ones. */
  kind: BeatKind;
  /** Its sequence number. */
  seq: number;
  /** One-way delay: arrival time minus the sender's timestamp, in ms. */
  delayMs: number;
  /** For `gap`: the sequence numbers found missing before this beat. */
  missing?: SeqRange;
  /** For `reordered`: the highest sequence number seen before it. */
  after?: number;
}

/** Totals for one sender. */
export interface HeartbeatSummary {
  /** Distinct beats received. */
  received: number;
  /** Beats still missing (gaps that never filled). */
  lost: number;
  /** The missing sequence numbers, oldest first (at most the tracked ones). */
  lostRanges: SeqRange[];
  /** Beats that arrived after a later one. */
  reordered: number;
  /** Beats received more than once. */
  duplicates: number;
  /** Lowest sequence number seen. */
  firstSeq: number;
  /** Highest sequence number seen. */
  lastSeq: number;
  /** One-way delay statistics of the distinct beats, in ms. */
  delay: { min: number; avg: number; max: number } | null;
}

/** Gaps remembered for reorder detection; older ones only stay counted. */
const MAX_TRACKED_GAPS = 10_000;

/** Bookkeeping for the beats of one sender. */
export class HeartbeatTracker {
  #first = -1;
  #highest = -1;
  #gaps: SeqRange[] = [];
  #lost = 0;
  #received = 0;
  #reordered = 0;
  #duplicates = 0;
  #delayMin = Infinity;
  #delayMax = -Infinity;
  #delaySum = 0;

  /** Records beat `seq` that arrived `delayMs` after it was sent. */
  record(seq: number, delayMs: number): BeatEvent {
    if (this.#received === 0) {
      this.#first = seq;
      this.#highest = seq;
      this.#count(delayMs);
      return { kind: "first", seq, delayMs };
    }
    if (seq === this.#highest + 1) {
      this.#highest = seq;
      this.#count(delayMs);
      return { kind: "in-order", seq, delayMs };
    }
    if (seq > this.#highest) {
      const missing = { from: this.#highest + 1, to: seq - 1 };
      this.#addGap(missing);
      this.#highest = seq;
      this.#count(delayMs);
      return { kind: "gap", seq, delayMs, missing };
    }
    const after = this.#highest;
    if (seq < this.#first) {
      // Earlier than anything seen: whatever lies between is missing too.
      if (seq + 1 <= this.#first - 1) {
        this.#gaps.unshift({ from: seq + 1, to: this.#first - 1 });
        this.#lost += this.#first - 1 - seq;
      }
      this.#first = seq;
    } else if (!this.#fillGap(seq)) {
      this.#duplicates++;
      return { kind: "duplicate", seq, delayMs };
    }
    this.#reordered++;
    this.#count(delayMs);
    return { kind: "reordered", seq, delayMs, after };
  }

  /** The totals so far. */
  summary(): HeartbeatSummary {
    return {
      received: this.#received,
      lost: this.#lost,
      lostRanges: this.#gaps.map((r) => ({ ...r })),
      reordered: this.#reordered,
      duplicates: this.#duplicates,
      firstSeq: this.#first,
      lastSeq: this.#highest,
      delay: this.#received === 0 ? null : {
        min: this.#delayMin,
        avg: this.#delaySum / this.#received,
        max: this.#delayMax,
      },
    };
  }

  #count(delayMs: number): void {
    this.#received++;
    this.#delaySum += delayMs;
    if (delayMs < this.#delayMin) this.#delayMin = delayMs;
    if (delayMs > this.#delayMax) this.#delayMax = delayMs;
  }

  #addGap(range: SeqRange): void {
    this.#gaps.push(range);
    this.#lost += range.to - range.from + 1;
    if (this.#gaps.length > MAX_TRACKED_GAPS) this.#gaps.shift();
  }

  /** Removes `seq` from the gaps; false when it was not missing. */
  #fillGap(seq: number): boolean {
    const gaps = this.#gaps;
    let lo = 0;
    let hi = gaps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const gap = gaps[mid]!;
      if (seq < gap.from) hi = mid - 1;
      else if (seq > gap.to) lo = mid + 1;
      else {
        if (gap.from === gap.to) gaps.splice(mid, 1);
        else if (seq === gap.from) gap.from++;
        else if (seq === gap.to) gap.to--;
        else {
          gaps.splice(mid + 1, 0, { from: seq + 1, to: gap.to });
          gap.to = seq - 1;
        }
        this.#lost--;
        return true;
      }
    }
    return false;
  }
}

/** `3-5, 7, 9-12`, listing at most `max` ranges before `…`. */
export function formatSeqRanges(ranges: readonly SeqRange[], max = 10): string {
  const parts = ranges.slice(0, max).map((r) =>
    r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`
  );
  if (ranges.length > max) parts.push("…");
  return parts.join(", ");
}
