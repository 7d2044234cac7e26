/**
 * The heartbeat datagram, `<sequence> <send time in ms since 1970>`, shared
 * by `thor --heartbeat` and `spidey --heartbeat-server`.
 *
 * @module
 */

/** The text of beat `seq` sent at `epochMs` (sub-millisecond precision). */
export function formatBeat(seq: number, epochMs: number): string {
  return `${seq} ${epochMs.toFixed(3)}`;
}

/**
 * Sequence number and send time of a beat (an optional line ending is
 * allowed, for beats typed into netcat), or null if it is not one.
 */
export function parseBeat(
  data: Uint8Array,
): { seq: number; sentMs: number } | null {
  if (data.length > 64) return null;
  let text = "";
  for (const byte of data) text += String.fromCharCode(byte);
  const match = /^(\d{1,15}) (\d{1,16}(?:\.\d{1,6})?)\r?\n?$/.exec(text);
  if (match === null) return null;
  return { seq: Number(match[1]), sentMs: Number(match[2]) };
}

/** The current time in ms since 1970, finer than `Date.now()`. */
export function preciseEpochMs(): number {
  return performance.timeOrigin + performance.now();
}
