/**
 * Uploads, when the command line asks for them: `PUT` of one file to its
 * URL, and `POST` of a `multipart/form-data` form (the listing page's, or
 * `curl -F`) to a folder URL. Bodies are streamed to disk piece by piece
 * (see `store.ts`); a name that is taken gets 409 Conflict unless
 * `--overwrite`, and a form is all or nothing: its files are named only
 * once the whole body has arrived, so a cut connection leaves none.
 *
 * @module
 */

import { SIDECAR_SUFFIXES } from "../../http/content_coding.ts";
import { HttpError } from "../../http/errors.ts";
import {
  contentDispositionOf,
  multipartBoundaryOf,
  MultipartParser,
} from "../../http/multipart.ts";
import { encodePath } from "../../http/request_target.ts";
import { escapeHtml } from "../../common/html.ts";
import { logDebug } from "../../common/log.ts";
import type { Resolution } from "../core/docroot.ts";
import type { ConfinedEntry } from "../core/confined_open.ts";
import { sendErrorPage } from "../core/error_page.ts";
import { DISCARD_LIMIT } from "../core/request_body.ts";
import type { HttpRequest } from "../core/request.ts";
import type { ResponseWriter } from "../core/response_writer.ts";
import { sanitizeUploadName, UploadNameError } from "./names.ts";
import type { UploadPolicy } from "./policy.ts";
import { nameTaken, UploadConflictError, UploadFile } from "./store.ts";

/** Methods allowed on a folder that takes uploads. */
export const UPLOAD_FOLDER_METHODS = "GET, HEAD, POST, OPTIONS";

/** What the upload handlers need from the server. */
export interface UploadOptions {
  /** Real path of the document root. */
  root: string;
  /** Which folders take uploads. */
  policy: UploadPolicy;
  /** Names may start with a dot (`--dotfiles`). */
  dotfiles: boolean;
  /** A taken name is replaced rather than refused (`--overwrite`). */
  overwrite: boolean;
  /** Resolves a URL path in the document root (the server's resolver). */
  resolve: (urlPath: string) => Resolution;
  /**
   * Reports files (real paths) the upload made or took back, so that every
   * cache drops what it knew of them before the next request.
   */
  changed: (realPaths: readonly string[]) => void;
}

/** The errors of names and conflicts as the answers they call for. */
function answerOf(err: unknown): unknown {
  if (err instanceof UploadNameError) {
    return new HttpError(400, err.code, err.message);
  }
  if (err instanceof UploadConflictError) {
    return new HttpError(409, err.code, err.message);
  }
  return err;
}

/** The checked folder at `urlPath`, or the error to answer. */
function folderAt(
  options: UploadOptions,
  urlPath: string,
): ConfinedEntry & { urlPath: string } {
  const found = options.resolve(urlPath);
  switch (found.kind) {
    case "directory":
      if (!options.policy.allowsRealFolder(options.root, found.realPath)) {
        throw new HttpError(403, "FORBIDDEN", "Upload folder is forbidden");
      }
      return found;
    case "forbidden":
      throw new HttpError(403, "FORBIDDEN", "Upload folder is forbidden");
    case "bad-request":
      throw new HttpError(400, "BAD_PATH", found.reason);
    case "not-found":
      throw new HttpError(404, "NO_FOLDER", "Upload folder does not exist");
    default:
      throw new HttpError(409, "NOT_A_FOLDER", "Upload target is not a folder");
  }
}

/**
 * Refuses `name` when it is taken (unless `--overwrite`), and so a
 * precompressed copy (`a.js.gz`) of a file that is there: served in its
 * place, it would replace the file's content without `--overwrite`.
 */
function refuseTaken(
  options: UploadOptions,
  dir: ConfinedEntry,
  name: string,
): void {
  if (options.overwrite) return;
  if (nameTaken(options.root, dir, name)) {
    throw new UploadConflictError(
      "NAME_TAKEN",
      `A file named ${JSON.stringify(name)} already exists`,
    );
  }
  for (const suffix of Object.values(SIDECAR_SUFFIXES)) {
    const plain = name.slice(0, -suffix.length);
    if (
      name.endsWith(suffix) && plain !== "" &&
      nameTaken(options.root, dir, plain)
    ) {
      throw new UploadConflictError(
        "NAME_TAKEN",
        `${JSON.stringify(name)} would stand in for the file ${
          JSON.stringify(plain)
        }`,
      );
    }
  }
}

/**
 * Answers a `PUT` of one file to `req.path`: 201 Created with its
 * `Location`, 409 when the name is taken (without `--overwrite`) or is a
 * folder, 404 or 403 for a missing or forbidden folder, 400 for a name
 * that is refused.
 */
async function handlePut(
  req: HttpRequest,
  res: ResponseWriter,
  options: UploadOptions,
): Promise<void> {
  const slash = req.path.lastIndexOf("/");
  const dir = folderAt(options, req.path.slice(0, slash + 1));
  const name = sanitizeUploadName(req.path.slice(slash + 1), options);
  refuseTaken(options, dir, name);
  const file = UploadFile.create(options.root, dir);
  try {
    for (let piece = await req.body.read(); piece !== null;) {
      await file.write(piece);
      piece = await req.body.read();
    }
  } catch (err) {
    file.discard();
    throw err;
  }
  file.commit(name, options.overwrite);
  // The caches may hold a "not found" or a listing from before: the next
  // GET must not wait for the file-system event.
  options.changed([`${dir.realPath}/${name}`]);
  const location = encodePath(dir.urlPath + name);
  logDebug(`${req.peer} | Uploaded ${file.size} bytes to ${location}`);
  await res.send(
    201,
    [["Location", location], ["Content-Type", "text/plain; charset=utf-8"]],
    `Created ${location}\n`,
  );
}

/**
 * Answers a `POST` of a `multipart/form-data` form to the folder `dir`:
 * every part with a file name is stored under it, then 303 See Other back
 * to the listing. Parts without a file name (plain fields, or no file
 * chosen) are skipped.
 */
async function handleForm(
  req: HttpRequest,
  res: ResponseWriter,
  dir: ConfinedEntry & { urlPath: string },
  options: UploadOptions,
): Promise<void> {
  const boundary = multipartBoundaryOf(req.headers.get("content-type"));
  if (boundary === null) {
    throw new HttpError(
      415,
      "NOT_MULTIPART",
      "Uploads are sent as multipart/form-data",
    );
  }
  const parser = new MultipartParser(boundary);
  const files: { name: string; file: UploadFile }[] = [];
  let current: UploadFile | null = null;
  try {
    for (let piece = await req.body.read(); piece !== null;) {
      for (const event of parser.feed(piece)) {
        if (event.kind === "part") {
          const sent = contentDispositionOf(
            event.headers.get("content-disposition"),
          ).filename;
          if (sent === null || sent === "") continue;
          const name = sanitizeUploadName(sent, options);
          if (files.some((f) => f.name === name)) {
            throw new UploadConflictError(
              "NAME_TAKEN",
              `The form sends ${JSON.stringify(name)} twice`,
            );
          }
          refuseTaken(options, dir, name);
          current = UploadFile.create(options.root, dir);
          files.push({ name, file: current });
        } else if (event.kind === "data") {
          if (current !== null) await current.write(event.bytes);
        } else {
          current?.close();
          current = null;
        }
      }
      piece = await req.body.read();
    }
    parser.finish();
    for (const { name } of files) refuseTaken(options, dir, name);
    for (const { name, file } of files) {
      file.commit(name, options.overwrite);
      options.changed([`${dir.realPath}/${name}`]);
      logDebug(`${req.peer} | Uploaded ${file.size} bytes as ${name}`);
    }
  } catch (err) {
    // All or nothing: the names given before the failure are taken back.
    for (const { name, file } of files) {
      file.discard();
      file.withdraw();
      options.changed([`${dir.realPath}/${name}`]);
    }
    throw err;
  }
  const location = encodePath(dir.urlPath);
  await res.send(
    303,
    [["Location", location], ["Content-Type", "text/html; charset=utf-8"]],
    `<!DOCTYPE html><title>303 See Other</title><p>Uploaded ${files.length} ${
      files.length === 1 ? "file" : "files"
    }: back to <a href="${escapeHtml(location)}">${
      escapeHtml(dir.urlPath)
    }</a>.</p>\n`,
  );
}

/** Reads and drops a small rest of the body; false when it must stay unread. */
async function dropRest(req: HttpRequest): Promise<boolean> {
  if (req.body.failed) return false;
  try {
    return await req.body.discard(DISCARD_LIMIT);
  } catch {
    return false;
  }
}

/**
 * Answers an upload (`PUT` of a file, `POST` of a form to a folder) that
 * `options.policy` takes; `found` is what `req.path` resolved to.
 * Refusals are answered here, through `res` (so with the CORS headers a
 * browser needs to see them); the connection goes on when the rest of
 * the body is small enough to drop, and closes otherwise.
 *
 * @throws errors that are no refusal (a disk failure, a client that left).
 */
export async function handleUpload(
  req: HttpRequest,
  res: ResponseWriter,
  found: Resolution,
  options: UploadOptions,
): Promise<void> {
  try {
    if (req.method === "PUT") {
      if (found.kind === "directory" || found.kind === "redirect") {
        throw new HttpError(409, "IS_A_FOLDER", "A folder has that name");
      }
      if (found.kind === "forbidden") {
        throw new HttpError(403, "FORBIDDEN", "Upload target is forbidden");
      }
      await handlePut(req, res, options);
      return;
    }
    await handleForm(req, res, folderAt(options, req.path), options);
  } catch (err) {
    const answer = answerOf(err);
    if (!(answer instanceof HttpError) || res.headSent) throw answer;
    logDebug(`${req.peer} | Upload refused: ${answer.message}`);
    if (!await dropRest(req)) res.closeConnection();
    await sendErrorPage(res, answer.status, { headers: [...answer.headers] });
  }
}
