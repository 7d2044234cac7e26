/**
 * Runs thumbnail jobs in one background worker, one job at a time, so
 * that thumbnails use at most one core besides the one serving requests
 * and at most one decoded image's memory at once.
 *
 * Bounds, each a defence against a visitor with a folder of huge images:
 * - at most `maxQueue` jobs wait, holding at most `maxQueuedBytes` of
 *   image files between them; more are refused as `busy` at once;
 * - a job running longer than `timeoutMs` has its worker terminated
 *   (WebAssembly cannot be interrupted any other way) and fails as
 *   `timeout`; the next job gets a fresh worker. The clock starts when the
 *   worker has loaded its codecs, so a slow start is not a slow job (a
 *   worker may be terminated while it loads: see `prepareCodecs` for why
 *   that is safe);
 * - a worker that decoded more than `recycleAbovePixels` is replaced after
 *   the job, because WebAssembly memory only grows: without this, one
 *   40-megapixel image would pin ~160 MiB for the life of the process;
 * - an idle worker is terminated after `idleMs`.
 *
 * @module
 */

import {
  DEFAULT_THUMBNAIL_SPEC,
  type Thumbnail,
  ThumbnailError,
  type ThumbnailSpec,
} from "./codec.ts";
import type { RenderRequest, RenderResponse, WorkerMessage } from "./worker.ts";

/** Tuning of a {@linkcode ThumbnailRenderer}; every field has a default. */
export interface ThumbnailRendererOptions {
  /** How thumbnails are made. */
  spec?: ThumbnailSpec;
  /** Most jobs waiting behind the running one. */
  maxQueue?: number;
  /**
   * Most bytes of image files held by waiting and running jobs; a job is
   * refused when it would pass this, unless it is the only one.
   */
  maxQueuedBytes?: number;
  /** Longest a job may run, in ms. */
  timeoutMs?: number;
  /** How long an idle worker is kept, in ms. */
  idleMs?: number;
  /** Replace the worker after a source image larger than this (pixels). */
  recycleAbovePixels?: number;
}

/** The defaults of {@linkcode ThumbnailRendererOptions}. */
export const DEFAULT_RENDERER_OPTIONS: Readonly<
  Required<ThumbnailRendererOptions>
> = Object.freeze({
  spec: DEFAULT_THUMBNAIL_SPEC,
  maxQueue: 256,
  maxQueuedBytes: 128 * 1024 * 1024,
  timeoutMs: 20_000,
  idleMs: 60_000,
  recycleAbovePixels: 16_000_000,
});

interface Job {
  id: number;
  bytes: Uint8Array;
  /** `bytes.length` before the transfer empties it. */
  size: number;
  resolve: (thumb: Thumbnail) => void;
  reject: (err: ThumbnailError) => void;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/** A queue of thumbnail jobs in front of one worker. */
export class ThumbnailRenderer {
  #options: Required<ThumbnailRendererOptions>;
  #queue: Job[] = [];
  #running: Job | null = null;
  #worker: Worker | null = null;
  /** Whether `#worker` has loaded its codecs. */
  #workerReady = false;
  #jobTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  #heldBytes = 0;
  #closed = false;
  #workersStarted = 0;

  /** Creates a renderer; its worker starts with the first job. */
  constructor(options: ThumbnailRendererOptions = {}) {
    this.#options = { ...DEFAULT_RENDERER_OPTIONS, ...options };
  }

  /** Jobs running or waiting. */
  get pending(): number {
    return this.#queue.length + (this.#running === null ? 0 : 1);
  }

  /** Workers started so far (tests watch recycling with it). */
  get workersStarted(): number {
    return this.#workersStarted;
  }

  /**
   * Makes a thumbnail of `bytes` (which are transferred to the worker and
   * unusable afterwards).
   *
   * @throws {ThumbnailError} as {@linkcode renderThumbnail} does, or
   * `busy` when the queue is full, `timeout`, or `failed` when the worker
   * died or the renderer was closed.
   */
  render(bytes: Uint8Array): Promise<Thumbnail> {
    if (this.#closed) {
      return Promise.reject(
        new ThumbnailError("failed", "Thumbnail renderer is closed"),
      );
    }
    const idle = this.pending === 0;
    if (
      this.#queue.length >= this.#options.maxQueue ||
      (!idle && this.#heldBytes + bytes.length > this.#options.maxQueuedBytes)
    ) {
      return Promise.reject(
        new ThumbnailError("busy", "Too many thumbnails are waiting"),
      );
    }
    // Only a view of a whole ArrayBuffer can be transferred without taking
    // its neighbours along.
    const own = bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength &&
        bytes.buffer instanceof ArrayBuffer
      ? bytes
      : bytes.slice();
    this.#heldBytes += own.length;
    return new Promise<Thumbnail>((resolve, reject) => {
      this.#queue.push({
        id: this.#nextId++,
        bytes: own,
        size: own.length,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  /** Fails every job and terminates the worker. */
  close(): void {
    this.#closed = true;
    const jobs = this.#queue.splice(0);
    if (this.#running !== null) jobs.push(this.#running);
    this.#running = null;
    this.#heldBytes = 0;
    this.#stopWorker();
    clearTimeout(this.#idleTimer);
    for (const job of jobs) {
      job.reject(new ThumbnailError("failed", "Thumbnail renderer is closed"));
    }
  }

  #startWorker(): Worker {
    const worker = new Worker(WORKER_URL, { type: "module" });
    this.#workersStarted++;
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      if (event.data !== "ready") {
        this.#finish(event.data);
      } else if (this.#worker === worker) {
        this.#workerReady = true;
        if (this.#running !== null) this.#startJobClock();
      }
    };
    worker.onerror = (event) => {
      // An uncaught error inside the worker: it may be in any state.
      event.preventDefault();
      this.#failRunning(
        new ThumbnailError("failed", "Thumbnail worker failed"),
      );
    };
    return worker;
  }

  #stopWorker(): void {
    clearTimeout(this.#jobTimer);
    this.#worker?.terminate();
    this.#worker = null;
    this.#workerReady = false;
  }

  #startJobClock(): void {
    const jobTimer = setTimeout(() => {
      this.#failRunning(
        new ThumbnailError("timeout", "Thumbnail took too long"),
      );
    }, this.#options.timeoutMs);
    Deno.unrefTimer(jobTimer);
    this.#jobTimer = jobTimer;
  }

  #pump(): void {
    if (this.#running !== null || this.#closed) return;
    const job = this.#queue.shift();
    if (job === undefined) {
      this.#scheduleIdleStop();
      return;
    }
    clearTimeout(this.#idleTimer);
    this.#running = job;
    this.#worker ??= this.#startWorker();
    if (this.#workerReady) this.#startJobClock();
    const message: RenderRequest = {
      id: job.id,
      bytes: job.bytes,
      spec: this.#options.spec,
    };
    this.#worker.postMessage(message, [job.bytes.buffer as ArrayBuffer]);
  }

  #scheduleIdleStop(): void {
    if (this.#worker === null) return;
    clearTimeout(this.#idleTimer);
    const idleTimer = setTimeout(() => {
      if (this.#running === null) this.#stopWorker();
    }, this.#options.idleMs);
    Deno.unrefTimer(idleTimer);
    this.#idleTimer = idleTimer;
  }

  #failRunning(err: ThumbnailError): void {
    const job = this.#running;
    this.#running = null;
    if (job !== null) this.#heldBytes -= job.size;
    this.#stopWorker();
    job?.reject(err);
    this.#pump();
  }

  #finish(response: RenderResponse): void {
    const job = this.#running;
    // A late answer from a job already timed out cannot arrive (its worker
    // was terminated), but a stray id must not complete the wrong job.
    if (job === null || job.id !== response.id) return;
    clearTimeout(this.#jobTimer);
    this.#running = null;
    this.#heldBytes -= job.size;
    if (response.ok) {
      if (response.sourcePixels > this.#options.recycleAbovePixels) {
        this.#stopWorker();
      }
      job.resolve({
        bytes: response.bytes,
        width: response.width,
        height: response.height,
        sourcePixels: response.sourcePixels,
      });
    } else {
      job.reject(new ThumbnailError(response.code, response.message));
    }
    this.#pump();
  }
}
