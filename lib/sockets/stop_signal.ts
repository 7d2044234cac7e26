/**
 * SIGINT/SIGTERM handling for the long-running modes.
 *
 * @module
 */

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Calls `stop` once on the first SIGINT or SIGTERM; returns a function that
 * removes the listeners (call it when the mode ends on its own).
 */
export function onStopSignal(stop: () => void): () => void {
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
