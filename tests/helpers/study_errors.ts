/**
 * Asserting the errors the experiments' data code throws.
 *
 * @module
 */

import assert from "node:assert/strict";
import { StudyError } from "../../experiments/data/errors.ts";

/** Asserts that `fn` throws a StudyError with `code` and a matching message. */
export function assertStudyError(
  fn: () => unknown,
  code: string,
  message: RegExp,
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StudyError, `expected a StudyError, got ${err}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}
