/**
 * Static files. (Placeholder: being replaced by the full implementation
 * with caching, validators, ranges and streaming.)
 *
 * @module
 */

import { contentTypeOf } from "../http/media_types.ts";
import type { HttpRequest } from "./request.ts";
import type { ResponseWriter } from "./response_writer.ts";

/** A regular file found in the document root. */
export interface StaticFile {
  /** Its path on disk. */
  fsPath: string;
  /** Its `stat` (symlinks followed), taken during resolution. */
  info: Deno.FileInfo;
}

/** Serves static files. */
export class StaticFileServer {
  /** Answers `req` with the file. */
  async serve(
    _req: HttpRequest,
    res: ResponseWriter,
    file: StaticFile,
  ): Promise<void> {
    const body = await Deno.readFile(file.fsPath);
    await res.send(200, [["Content-Type", contentTypeOf(file.fsPath)]], body);
  }
}
