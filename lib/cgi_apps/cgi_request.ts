/**
 * The request a CGI/1.1 script receives (RFC 3875 section 4): its method,
 * query and script name from meta-variables, and an urlencoded form body
 * from stdin, read to exactly `CONTENT_LENGTH` bytes.
 *
 * @module
 */

/** What an application sees of one request. */
export interface AppRequest {
  /** `REQUEST_METHOD`, upper case as the client sent it. */
  method: string;
  /** The decoded `QUERY_STRING`. */
  query: URLSearchParams;
  /** The decoded form body of a POST, null for other methods. */
  form: URLSearchParams | null;
  /** `SCRIPT_NAME`: the URL path of the script, for links and redirects. */
  scriptName: string;
}

/** Reads a meta-variable; undefined when the server did not set it. */
export type MetaVariables = (name: string) => string | undefined;

/** Reads up to `max` bytes of the request body (fewer only at its end). */
export type BodyReader = (max: number) => Uint8Array;

/** The largest form body the applications accept, in bytes. */
export const MAX_FORM_BYTES = 65_536;

/** A request the applications refuse, answered with `status`. */
export class CgiRequestError extends Error {
  /**
   * A stable identifier: `METHOD_NOT_ALLOWED`, `UNSUPPORTED_MEDIA_TYPE`,
   * `LENGTH_REQUIRED`, `BODY_TOO_LARGE`, `BODY_TRUNCATED`, `BAD_SCRIPT_NAME`.
   */
  readonly code: string;
  /** The HTTP status that answers it. */
  readonly status: number;

  /** Creates the error with a stable `code` and the status to answer. */
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = "CgiRequestError";
    this.code = code;
    this.status = status;
  }
}

/** The methods every application answers; the rest get a 405. */
export const APP_METHODS = "GET, HEAD, POST";

const FORM_TYPE = /^application\/x-www-form-urlencoded[ \t]*(?:;|$)/i;
const DIGITS = /^[0-9]{1,15}$/;

/**
 * Builds the request from the meta-variables in `env` and, for a POST,
 * the body read through `readBody`.
 *
 * @throws {CgiRequestError} for a method other than GET, HEAD or POST, or
 * a POST body that is not a urlencoded form of a known, acceptable size.
 */
export function readCgiRequest(
  env: MetaVariables,
  readBody: BodyReader,
): AppRequest {
  const method = env("REQUEST_METHOD") ?? "GET";
  const scriptName = env("SCRIPT_NAME") ?? "";
  // Links and redirects are built from it, so it must be a plain local
  // path: `//host` would make a Location point at another site.
  if (!/^\/[^/\\]/.test(scriptName)) {
    throw new CgiRequestError(
      "BAD_SCRIPT_NAME",
      500,
      `SCRIPT_NAME ${JSON.stringify(scriptName)} is not a local path`,
    );
  }
  const query = new URLSearchParams(env("QUERY_STRING") ?? "");
  if (method === "GET" || method === "HEAD") {
    return { method, query, form: null, scriptName };
  }
  if (method !== "POST") {
    throw new CgiRequestError(
      "METHOD_NOT_ALLOWED",
      405,
      `${method} is not allowed here; use GET to see the page and POST to send the form.`,
    );
  }
  if (!FORM_TYPE.test(env("CONTENT_TYPE") ?? "")) {
    throw new CgiRequestError(
      "UNSUPPORTED_MEDIA_TYPE",
      415,
      "Send the form as application/x-www-form-urlencoded.",
    );
  }
  const lengthText = env("CONTENT_LENGTH") ?? "";
  if (!DIGITS.test(lengthText)) {
    throw new CgiRequestError(
      "LENGTH_REQUIRED",
      411,
      "The form needs a Content-Length.",
    );
  }
  const length = Number(lengthText);
  if (length > MAX_FORM_BYTES) {
    throw new CgiRequestError(
      "BODY_TOO_LARGE",
      413,
      `The form is limited to ${MAX_FORM_BYTES} bytes.`,
    );
  }
  const body = readBody(length);
  if (body.length < length) {
    throw new CgiRequestError(
      "BODY_TRUNCATED",
      400,
      "The form ended before its Content-Length.",
    );
  }
  const form = new URLSearchParams(new TextDecoder().decode(body));
  return { method, query, form, scriptName };
}

/** Reads up to `max` bytes from the process's stdin (the CGI body). */
export function readStdin(max: number): Uint8Array {
  const out = new Uint8Array(max);
  let got = 0;
  while (got < max) {
    const n = Deno.stdin.readSync(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return out.subarray(0, got);
}
