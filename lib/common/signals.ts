/**
 * Stopping long-running programs cleanly: on SIGINT/SIGTERM, waits that a
 * stop cuts short, and accept or receive loops that end when their socket
 * is closed on purpose.
 *
 * @module
 */

import { logError } from "./log.ts";
import { describeError } from "./net.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Pause before retrying a failed accept or receive. */
const RETRY_PAUSE_MS = 50;

/**
 * Calls `stop` once on the first SIGINT or SIGTERM; returns a function that
 * removes the listeners (call it when the program ends on its own).
 */
export function onStopSignal(stop: () => unknown): () => void {
  let called = false;
  const handler = () => {
    if (called) return;
    called = true;
    stop();
  };
  const added: Deno.Signal[] = [];
  for (const signal of SIGNALS) {
    try {
      Deno.addSignalListener(signal, handler);
      added.push(signal);
    } catch {
      // SIGTERM cannot be listened for on Windows.
    }
  }
  return () => {
    for (const signal of added) Deno.removeSignalListener(signal, handler);
  };
}

/** Waits `ms`, or less if `interrupted` resolves first. */
export function sleepUnless(
  ms: number,
  interrupted: Promise<void>,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slept = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([slept, interrupted]).finally(() => clearTimeout(timer));
}

/**
 * Awaits `take()` (an accept or a receive) and resolves to what it gives,
 * or to null once `isStopping()` says its socket was closed on purpose.
 * Any other failure (EMFILE and friends) is retried after a short pause
 * instead of spinning, and logged as an error starting with `failure`
 * when one is given.
 */
export async function takeUnlessStopping<T>(
  take: () => Promise<T>,
  isStopping: () => boolean,
  failure?: string,
): Promise<T | null> {
  for (;;) {
    try {
      return await take();
    } catch (err) {
      if (isStopping()) return null;
      if (failure !== undefined) {
        logError(`${failure}: ${describeError(err)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      if (isStopping()) return null;
    }
  }
}
