/**
 * Shape checks for parsed JSON values, shared by every decoder of a wire
 * line or file.
 *
 * @module
 */

/** True when `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `value` is a non-negative safe integer: a count. */
export function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) &&
    value >= 0;
}
