/**
 * One `Name: value` request header as thor takes it, from `-H` or a
 * `--targets` file.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { isFieldValue, isToken, trimOws } from "../http/header_fields.ts";

/** Parses one `-H 'Name: value'`. */
export function parseHeaderFlag(text: string): readonly [string, string] {
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  if (colon <= 0 || !isToken(name)) {
    throw new UsageError(
      `Header "${text}" is not of the form 'Name: value'`,
    );
  }
  const value = trimOws(text.slice(colon + 1));
  if (!isFieldValue(value)) {
    throw new UsageError(`Header ${name} holds a control character`);
  }
  const lower = name.toLowerCase();
  if (lower === "content-length" || lower === "transfer-encoding") {
    throw new UsageError(
      `Header ${name} is set by thor from --body or --body-file`,
    );
  }
  return [name, value];
}
