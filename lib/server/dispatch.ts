/**
 * The request handler of spidey, in the classic order: not found → 404,
 * executable file → CGI, readable file → static file, directory → its
 * `index.html` or a listing (after a redirect that adds the slash),
 * anything else → 403. Methods are checked per kind of resource. Only a
 * CGI script takes a request body; for anything else a small body is
 * dropped before the answer and a large one answered with a closing
 * connection, unread. Access control (a CORS preflight, then
 * authentication) comes before all of it.
 *
 * @module
 */

import type { HeaderList } from "../http/header_fields.ts";
import { logDebug } from "../common/log.ts";
import { runCgiScript } from "./cgi/cgi.ts";
import type { RequestHandler } from "./core/connection.ts";
import type { ServerContext } from "./core/context.ts";
import { DocrootResolver } from "./core/docroot.ts";
import type { FsWatch } from "./core/fs_watch.ts";
import { sendErrorPage } from "./core/error_page.ts";
import { DISCARD_LIMIT } from "./core/request_body.ts";
import { escapeHtml } from "../common/html.ts";
import { readyListing, serveDirectoryListing } from "./listing/listing.ts";
import { isThumbnailable, THUMBNAIL_QUERY } from "./core/media_kind.ts";
import type { HttpRequest } from "./core/request.ts";
import type { ResponseWriter } from "./core/response_writer.ts";
import { StaticFileServer } from "./static/static_file.ts";
import { serveThumbnail } from "./thumbnail/thumbnail.ts";
import { ThumbnailCache } from "./thumbnail/cache.ts";
import { ListingCache } from "./listing/cache.ts";
import { handleUpload, UPLOAD_FOLDER_METHODS } from "./upload/upload.ts";
import type { UploadPolicy } from "./upload/policy.ts";
import { archiveFormatOf, serveArchive } from "./archive/archive.ts";
import { admitRequest, loadAccessControl } from "./access/access.ts";
import { setExtraResponseHeaders } from "./core/prepared_response.ts";

/** Methods allowed on static files and listings. */
export const STATIC_METHODS = "GET, HEAD, OPTIONS";
/** Methods allowed on CGI scripts. */
export const CGI_METHODS = "GET, HEAD, POST, OPTIONS";
/** What a CORS preflight allows below a folder that takes uploads. */
export const UPLOAD_PREFLIGHT_METHODS = "GET, HEAD, POST, PUT, OPTIONS";

const allowSets = new Map<string, ReadonlySet<string>>();

/** True when `allow` (a comma-separated list) names `method`. */
function allows(allow: string, method: string): boolean {
  let set = allowSets.get(allow);
  if (set === undefined) {
    set = new Set(allow.split(", "));
    allowSets.set(allow, set);
  }
  return set.has(method);
}

/** Answers a request whose method the resource does not take (or OPTIONS). */
async function answerMethod(
  req: HttpRequest,
  res: ResponseWriter,
  allow: string,
): Promise<void> {
  if (req.method === "OPTIONS") await res.send(204, [["Allow", allow]]);
  else await sendErrorPage(res, 405, { headers: [["Allow", allow]] });
}

/**
 * Drops the body of a request whose resource takes none: read and thrown
 * away when small (so the connection can go on, and a broken or too slow
 * body still gets its 400, 413 or 408 first), else left unread with the
 * connection set to close after the answer.
 */
async function dropBody(req: HttpRequest, res: ResponseWriter): Promise<void> {
  if (req.body.complete) return;
  if (!await req.body.discard(DISCARD_LIMIT)) res.closeConnection();
}

/**
 * Builds spidey's request handler for one server; `watch` (of `ctx.root`)
 * tells when what was resolved before has changed; `uploads` is the
 * server's upload policy (the one its body limits come from).
 */
export function createRequestHandler(
  ctx: ServerContext,
  watch: FsWatch,
  uploads: UploadPolicy,
): RequestHandler {
  // Every cache is checked against what the resolver keeps, and dropped
  // by the same watch; every read goes through a handle bound in the root.
  const options = {
    dotfiles: ctx.config.dotfiles,
    root: ctx.root,
    cache: new ListingCache({ watch }),
    uploadsAllowed: (urlPath: string) => uploads.allowsFolder(urlPath),
    archives: ctx.config.archives,
  };
  const thumbnailOptions = {
    root: ctx.root,
    cache: new ThumbnailCache({ watch }),
  };
  const resolver = new DocrootResolver(ctx.root, {
    dotfiles: ctx.config.dotfiles,
    watch,
  });
  // The resolver also finds precompressed copies (`a.css.br`), confined;
  // where uploads go, one could stand in for a file, so none are used.
  const files = new StaticFileServer(
    {
      root: ctx.root,
      sidecarsAllowed: (urlPath: string) => !uploads.allowsFolder(urlPath),
    },
    watch,
    resolver,
  );
  const uploadOptions = {
    root: ctx.root,
    policy: uploads,
    dotfiles: ctx.config.dotfiles,
    overwrite: ctx.config.uploadOverwrite,
    resolve: (urlPath: string) => resolver.resolve(urlPath),
    changed: (realPaths: readonly string[]) => watch.report(realPaths),
  };

  const access = loadAccessControl(ctx.config);
  setExtraResponseHeaders(access.headers);
  // Preflights come before auth: their answer depends on the URL and the
  // upload policy only, never on what the path resolves to (that would
  // tell anyone which paths are scripts).
  const admitHooks = {
    allowOf: (req: HttpRequest) =>
      uploads.allowsFolder(req.path.slice(0, req.path.lastIndexOf("/") + 1))
        ? UPLOAD_PREFLIGHT_METHODS
        : CGI_METHODS,
    dropBody,
  };

  // Without CORS or a login every request is admitted: skip the check.
  const guarded = access.cors !== null || access.auth !== null;
  const handler: RequestHandler = async (req, plainRes) => {
    const res = access.cors?.wrap(req, plainRes) ?? plainRes;
    if (guarded && !await admitRequest(access, req, res, admitHooks)) return;
    if (req.target === "*") {
      await dropBody(req, res);
      await res.send(204, [["Allow", CGI_METHODS]]);
      return;
    }
    const found = resolver.resolve(req.path);
    if (uploads.isUpload(req.method, req.path) && found.kind !== "cgi") {
      logDebug(`${req.peer} | Handle Upload`);
      await handleUpload(req, res, found, uploadOptions);
      return;
    }
    // `complete` is checked here too: the usual request, without a body,
    // then costs no async call.
    if (
      !req.body.complete &&
      (found.kind !== "cgi" || req.method === "OPTIONS" ||
        !allows(CGI_METHODS, req.method))
    ) {
      await dropBody(req, res);
    }
    switch (found.kind) {
      case "bad-request":
        logDebug(`${req.peer} | Refused: ${found.reason}`);
        await sendErrorPage(res, 400);
        return;
      case "not-found":
        logDebug(`${req.peer} | Not found`);
        await sendErrorPage(res, 404, { detail: req.path });
        return;
      case "forbidden":
        logDebug(`${req.peer} | Forbidden`);
        await sendErrorPage(res, 403, { detail: req.path });
        return;
      case "redirect": {
        if (req.method === "OPTIONS" || !allows(STATIC_METHODS, req.method)) {
          return await answerMethod(req, res, STATIC_METHODS);
        }
        const location = found.location + (req.query ? `?${req.query}` : "");
        logDebug(`${req.peer} | Redirect to ${location}`);
        const headers: HeaderList = [
          ["Location", location],
          ["Content-Type", "text/html; charset=utf-8"],
        ];
        await res.send(
          301,
          headers,
          `<!DOCTYPE html><title>301 Moved Permanently</title><p>Moved to <a href="${
            escapeHtml(location)
          }">${escapeHtml(location)}</a>.</p>\n`,
        );
        return;
      }
      case "cgi":
        if (req.method === "OPTIONS" || !allows(CGI_METHODS, req.method)) {
          return await answerMethod(req, res, CGI_METHODS);
        }
        if (uploads.isUpload(req.method, req.path)) {
          // The connection allowed an upload's body by the URL alone.
          const max = ctx.config.maxBodyBytes;
          if ((req.body.length ?? 0) > max) {
            res.closeConnection();
            await sendErrorPage(res, 413);
            return;
          }
          req.body.limit(max);
        }
        logDebug(`${req.peer} | Handle CGI`);
        // Run the checked real path, never the name: a symlink swapped
        // since the check must not choose the program.
        await runCgiScript(req, res, { ...found, fsPath: found.realPath }, ctx);
        return;
      case "file":
        if (req.method === "OPTIONS" || !allows(STATIC_METHODS, req.method)) {
          return await answerMethod(req, res, STATIC_METHODS);
        }
        if (req.query === THUMBNAIL_QUERY && isThumbnailable(found.fsPath)) {
          logDebug(`${req.peer} | Handle Thumbnail`);
          await serveThumbnail(req, res, found, thumbnailOptions);
          return;
        }
        logDebug(`${req.peer} | Handle File`);
        await files.serve(req, res, found);
        return;
      case "directory": {
        if (req.method === "OPTIONS" || !allows(STATIC_METHODS, req.method)) {
          const allow = uploads.allowsFolder(found.urlPath)
            ? UPLOAD_FOLDER_METHODS
            : STATIC_METHODS;
          return await answerMethod(req, res, allow);
        }
        const format = ctx.config.archives ? archiveFormatOf(req.query) : null;
        if (format !== null) {
          logDebug(`${req.peer} | Handle Archive`);
          await serveArchive(req, res, found, format, options);
          return;
        }
        // Resolved like any URL: confined, and cached (also when absent).
        const index = resolver.resolve(`${found.urlPath}index.html`);
        if (index.kind === "file") {
          logDebug(`${req.peer} | Handle Index`);
          await files.serve(req, res, index);
          return;
        }
        // An executable index is a script: its source is never sent.
        if (index.kind === "forbidden" || index.kind === "cgi") {
          await sendErrorPage(res, 403, { detail: req.path });
          return;
        }
        logDebug(`${req.peer} | Handle Directory`);
        await serveDirectoryListing(req, res, found, options);
        return;
      }
    }
  };

  // What the handler above sends for a GET or HEAD of a file, a folder's
  // index or its listing, when that answer is cached whole and nothing
  // else is weighed: the same checks in the same order, without waiting.
  handler.ready = (req) => {
    if (guarded || (req.method !== "GET" && req.method !== "HEAD")) {
      return null;
    }
    const found = resolver.resolve(req.path);
    if (found.kind === "file") {
      return req.query === THUMBNAIL_QUERY && isThumbnailable(found.fsPath)
        ? null
        : files.ready(req, found);
    }
    if (found.kind !== "directory") return null;
    if (ctx.config.archives && archiveFormatOf(req.query) !== null) {
      return null;
    }
    const index = resolver.resolve(`${found.urlPath}index.html`);
    if (index.kind === "file") return files.ready(req, index);
    if (index.kind === "forbidden" || index.kind === "cgi") return null;
    return readyListing(req, found, options);
  };
  return handler;
}
