/**
 * The live one-line progress display thor draws on stderr while a run
 * lasts. It is drawn only on a terminal: when stderr is a pipe or a file it
 * writes nothing at all, so logs and `--json` consumers never see it.
 *
 * @module
 */

/** What the progress line shows, read from the engine on every redraw. */
export interface ProgressSnapshot {
  /** Requests ended so far (responses and errors). */
  done: number;
  /** Requests that failed so far. */
  errors: number;
  /** Time since the run started. */
  elapsedMs: number;
  /** Requests the run will make, when known (count mode). */
  total?: number;
}

/** Options of {@link ProgressLine}. */
export interface ProgressLineOptions {
  /** Draw at all; defaults to whether stderr is a terminal. */
  enabled?: boolean;
  /** Where text goes; defaults to a synchronous write to stderr. */
  write?: (s: string) => void;
  /** Redraw period; defaults to 250 ms. */
  intervalMs?: number;
}

/** Return to column 0 and erase the line (ANSI EL2). */
const CLEAR_LINE = "\r\x1b[2K";
const DEFAULT_INTERVAL_MS = 250;
const BAR_WIDTH = 20;

const encoder = new TextEncoder();

function writeStderr(s: string): void {
  const bytes = encoder.encode(s);
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stderr.writeSync(bytes.subarray(written));
  }
}

/**
 * The text of one progress line (without control characters).
 *
 * @param snapshot the engine's counters now.
 * @param currentRate requests per second since the previous redraw, if any.
 */
export function formatProgress(
  snapshot: ProgressSnapshot,
  currentRate?: number,
): string {
  const { done, errors, elapsedMs, total } = snapshot;
  const seconds = (elapsedMs / 1000).toFixed(1);
  const rate = currentRate ??
    (elapsedMs > 0 ? done / (elapsedMs / 1000) : 0);
  const parts: string[] = [];
  if (total !== undefined && total > 0) {
    const share = Math.min(1, done / total);
    const filled = Math.round(share * BAR_WIDTH);
    parts.push(
      `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${
        Math.floor(share * 100)
      }% ${done}/${total}`,
    );
  } else {
    parts.push(`${done} requests`);
  }
  parts.push(`${errors} errors`, `${Math.round(rate)} req/s`, `${seconds} s`);
  return parts.join("  ");
}

/** A progress line redrawn in place on a timer until stopped. */
export class ProgressLine {
  readonly #enabled: boolean;
  readonly #write: (s: string) => void;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawn = false;
  #lastDone = 0;
  #lastElapsedMs = 0;

  /** Creates a stopped progress line; see {@link ProgressLineOptions}. */
  constructor(options: ProgressLineOptions = {}) {
    this.#enabled = options.enabled ?? Deno.stderr.isTerminal();
    this.#write = options.write ?? writeStderr;
    const interval = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!(interval > 0)) {
      throw new RangeError(
        `Progress interval must be positive, got ${interval}`,
      );
    }
    this.#intervalMs = interval;
  }

  /**
   * Starts redrawing every interval from `getSnapshot()`. Does nothing when
   * disabled. Starting again replaces the previous source.
   */
  start(
    getSnapshot: () => ProgressSnapshot,
  ): void {
    if (!this.#enabled) return;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#lastDone = 0;
    this.#lastElapsedMs = 0;
    const timer = setInterval(() => {
      try {
        this.#draw(getSnapshot());
      } catch {
        // A broken display (closed terminal, failing snapshot) must not
        // take the run down with it; the final report still prints.
        clearInterval(timer);
        if (this.#timer === timer) this.#timer = undefined;
      }
    }, this.#intervalMs);
    this.#timer = timer;
    // The display must never be what keeps a finished run alive.
    Deno.unrefTimer(timer);
  }

  /** Stops redrawing and erases the line if one was drawn. */
  stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    if (this.#drawn) {
      this.#drawn = false;
      this.#write(CLEAR_LINE);
    }
  }

  #draw(snapshot: ProgressSnapshot): void {
    const spanMs = snapshot.elapsedMs - this.#lastElapsedMs;
    const rate = spanMs > 0
      ? (snapshot.done - this.#lastDone) / (spanMs / 1000)
      : undefined;
    this.#lastDone = snapshot.done;
    this.#lastElapsedMs = snapshot.elapsedMs;
    this.#write(CLEAR_LINE + formatProgress(snapshot, rate));
    this.#drawn = true;
  }
}
