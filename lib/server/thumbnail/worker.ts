/**
 * The worker that makes thumbnails, so that decoding a large photo (up to
 * hundreds of milliseconds) never stalls the thread serving requests. It
 * answers each {@linkcode RenderRequest} with one
 * {@linkcode RenderResponse}, in order.
 *
 * @module
 */

import {
  prepareCodecs,
  renderThumbnail,
  ThumbnailError,
  type ThumbnailErrorCode,
  type ThumbnailSpec,
} from "./codec.ts";

/** A job sent to the worker. */
export interface RenderRequest {
  /** Matches the answer to the job. */
  id: number;
  /** The image file's bytes (transferred, not copied). */
  bytes: Uint8Array;
  /** How to make the thumbnail. */
  spec: ThumbnailSpec;
}

/** The worker's answer to one job. */
export type RenderResponse =
  | {
    id: number;
    ok: true;
    bytes: Uint8Array<ArrayBuffer>;
    width: number;
    height: number;
    sourcePixels: number;
  }
  | { id: number; ok: false; code: ThumbnailErrorCode; message: string };

/**
 * What the worker posts: `"ready"` once, when its codecs are loaded, then
 * one {@linkcode RenderResponse} per job.
 */
export type WorkerMessage = "ready" | RenderResponse;

/** The part of a worker's global scope this module uses. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<RenderRequest>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
}

async function answer(job: RenderRequest): Promise<RenderResponse> {
  try {
    const thumb = await renderThumbnail(job.bytes, job.spec);
    return { id: job.id, ok: true, ...thumb };
  } catch (err) {
    if (err instanceof ThumbnailError) {
      return { id: job.id, ok: false, code: err.code, message: err.message };
    }
    return {
      id: job.id,
      ok: false,
      code: "failed",
      message: err instanceof Error ? err.message : String(err),
    };
  }
}

const scope = globalThis as unknown as WorkerScope;
prepareCodecs().then(() => scope.postMessage("ready"));
// Jobs arrive one at a time (the renderer waits for each answer), so a
// plain handler keeps them in order.
scope.onmessage = async (event) => {
  const response = await answer(event.data);
  scope.postMessage(response, response.ok ? [response.bytes.buffer] : []);
};
