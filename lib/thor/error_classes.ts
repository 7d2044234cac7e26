/**
 * The classes a failed request is counted under, in the order a request
 * meets them: the vocabulary shared by the stats, the per-target stats,
 * the classifier and the reports.
 *
 * @module
 */

/**
 * The ways a request can fail before a complete response arrives, in the
 * order a request meets them.
 */
export const ERROR_CLASSES = [
  "dns",
  "connect",
  "tls",
  "write",
  "read",
  "timeout",
  "protocol",
] as const;

/** One of {@link ERROR_CLASSES}. */
export type ErrorClass = typeof ERROR_CLASSES[number];

const ERROR_CLASS_SET: ReadonlySet<string> = new Set(ERROR_CLASSES);

/** Tells whether `name` is one of {@link ERROR_CLASSES}. */
export function isErrorClass(name: string): name is ErrorClass {
  return ERROR_CLASS_SET.has(name);
}
