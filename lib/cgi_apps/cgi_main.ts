/**
 * Running an application as a CGI script: read the request from the
 * meta-variables and stdin, answer on stdout, and turn every failure into
 * a page with a status (details on stderr, which spidey logs), never a
 * stack trace or a script that prints nothing.
 *
 * @module
 */

import {
  APP_METHODS,
  type AppRequest,
  type BodyReader,
  CgiRequestError,
  type MetaVariables,
  readCgiRequest,
  readStdin,
} from "./cgi_request.ts";
import {
  type AppResponse,
  serializeResponse,
  writeStdout,
} from "./cgi_response.ts";
import { type AppContext, DataDirError } from "./data_dir.ts";
import { errorResponse } from "./page_layout.ts";

/** An application: one request in, one response out. */
export type CgiApp = (
  req: AppRequest,
  ctx: AppContext,
) => AppResponse | Promise<AppResponse>;

/** What {@linkcode runCgiApp} needs besides the request. */
export interface CgiAppOptions {
  /**
   * The data folder, relative to the script's folder (its working
   * directory) or absolute; it must also be in the script's
   * `--allow-read` and `--allow-write` lists.
   */
  dataDir: string;
}

function oneLine(err: unknown): string {
  const text = err instanceof Error
    ? `${err.name}: ${err.message}`
    : String(err);
  return text.replace(/\s+/g, " ");
}

/**
 * Answers one request with `app`: refused requests get their 4xx page,
 * failures a 500 page, and the reason for a failure one line on stderr.
 */
export async function handleCgiRequest(
  app: CgiApp,
  env: MetaVariables,
  readBody: BodyReader,
  options: CgiAppOptions,
): Promise<AppResponse> {
  const scriptName = env("SCRIPT_NAME") ?? "";
  try {
    const req = readCgiRequest(env, readBody);
    return await app(req, {
      dataDir: options.dataDir,
      documentRoot: env("DOCUMENT_ROOT"),
    });
  } catch (err) {
    if (err instanceof CgiRequestError && err.status < 500) {
      const allow: Array<[string, string]> = err.status === 405
        ? [["Allow", APP_METHODS]]
        : [];
      return errorResponse(err.status, err.message, scriptName, allow);
    }
    console.error(`${scriptName || "CGI application"}: ${oneLine(err)}`);
    const message = err instanceof DataDirError
      ? "This application cannot reach its data right now. The server log says why."
      : "Something went wrong on the server. The server log says what.";
    // A bad SCRIPT_NAME cannot be linked to; the home page always can.
    return errorResponse(
      500,
      message,
      /^\/[^/\\]/.test(scriptName) ? scriptName : "/",
    );
  }
}

function metaVariable(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // Not in the script's --allow-env list: as good as unset.
    return undefined;
  }
}

/**
 * Runs `app` for the request this process was started for and writes the
 * response to stdout. Call it once from a script's top level.
 */
export async function runCgiApp(
  app: CgiApp,
  options: CgiAppOptions,
): Promise<void> {
  const res = await handleCgiRequest(app, metaVariable, readStdin, options);
  writeStdout(serializeResponse(res));
}
