/**
 * The one error the media encoders throw.
 *
 * @module
 */

/**
 * Input that an encoder cannot turn into a valid file: a size out of range,
 * a pixel or sample buffer of the wrong length. `code` is stable
 * (`"PNG_BAD_SIZE"`, `"PNG_BAD_PIXELS"`, `"WAV_BAD_FORMAT"`, …).
 */
export class MediaEncodeError extends RangeError {
  /** A stable identifier for the kind of failure. */
  readonly code: string;

  /** Creates an encoder error with a stable `code`; `message` is sentence-case. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "MediaEncodeError";
    this.code = code;
  }
}
