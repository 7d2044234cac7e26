/**
 * CGI/1.1 scripts. (Placeholder: being replaced by the full runner.)
 *
 * @module
 */

import type { ServerContext } from "./context.ts";
import { sendErrorPage } from "./error_page.ts";
import type { HttpRequest } from "./request.ts";
import type { ResponseWriter } from "./response_writer.ts";

/** A script found in the document root. */
export interface CgiScript {
  /** Its path on disk. */
  fsPath: string;
  /** The URL path that names it. */
  scriptName: string;
  /** The rest of the URL path after it ("" when none). */
  pathInfo: string;
}

/** Runs `script` for `req` and relays its answer. */
export async function runCgiScript(
  _req: HttpRequest,
  res: ResponseWriter,
  _script: CgiScript,
  _ctx: ServerContext,
): Promise<void> {
  await sendErrorPage(res, 501);
}
