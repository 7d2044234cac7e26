/**
 * A site for testing one of the bundled CGI applications through a real
 * spidey: a temporary folder laid out as in the repository (DIR/www is the
 * document root with a copy of the script, DIR/lib links to lib/, data
 * lands in DIR/spidey-data), and form posts and page fetches with room for
 * a Deno script to start on a loaded machine.
 *
 * @module
 */

import { tempDocroot } from "./cgi_scripts.ts";
import { concat, get, rawRequest, type RawResponse } from "./raw_http.ts";
import { REPO_DIR } from "./spidey_process.ts";

/** Each request starts a deno; 50 at once take a while on a loaded machine. */
export const APP_TIMEOUT_MS = 120_000;

/** spidey's flags for these tests (the docroot is added by the caller). */
export const APP_SPIDEY_ARGS: readonly string[] = [
  "-p",
  "0",
  "-b",
  "127.0.0.1",
  "-f",
  "--cgi-timeout",
  "120",
];

const enc = new TextEncoder();

/** A temporary site holding `www/cgi-bin/<name>` and a link to lib/. */
export function appSite(
  name: string,
  extra: Record<string, { symlink: string } | { dir: true }> = {},
): ReturnType<typeof tempDocroot> {
  return tempDocroot({
    [`www/cgi-bin/${name}`]: {
      content: Deno.readTextFileSync(`${REPO_DIR}/www/cgi-bin/${name}`),
      mode: 0o755,
    },
    "lib": { symlink: `${REPO_DIR}/lib` },
    ...extra,
  });
}

/** POSTs an urlencoded form body to `path`. */
export function postForm(
  port: number,
  path: string,
  body: string,
): Promise<RawResponse> {
  const bytes = enc.encode(body);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\n` +
    `Content-Length: ${bytes.length}\r\n\r\n`;
  return rawRequest(port, concat([enc.encode(head), bytes]), {
    timeoutMs: APP_TIMEOUT_MS,
  });
}

/** GETs `path`. */
export function fetchPage(port: number, path: string): Promise<RawResponse> {
  return rawRequest(port, get(path), { timeoutMs: APP_TIMEOUT_MS });
}
