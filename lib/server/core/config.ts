/**
 * What a running spidey is configured with, and the defaults that
 * `spidey -h` documents. The command line that fills it in is the
 * program's (`../cli.ts`); every layer below reads only this.
 *
 * @module
 */

/** Everything a running spidey needs to know. */
export interface ServerConfig {
  /** Address to bind (`-b`), default `0.0.0.0`. */
  hostname: string;
  /** Port to bind (`-p`); 0 picks a free one. */
  port: number;
  /** Document root as given (`-d`); resolved to a real path at start. */
  docroot: string;
  /** `single` (default: one connection at a time) or `concurrent` (`-f`). */
  mode: "single" | "concurrent";
  /** Worker processes (`-w N`); 0 means serve in this process. */
  workers: number;
  /** Debug logging (`-v`). */
  verbose: boolean;
  /** One access-log line per request (off with `-q`). */
  accessLog: boolean;
  /** Serve and list names starting with a dot (`--dotfiles`). */
  dotfiles: boolean;
  /** Time allowed to receive a whole request head, in ms. */
  headerTimeoutMs: number;
  /** Time a keep-alive connection may sit idle between requests, in ms. */
  idleTimeoutMs: number;
  /** Time a client may take to accept response bytes, in ms. */
  sendTimeoutMs: number;
  /** Time a CGI script may run before it is killed (504), in ms. */
  cgiTimeoutMs: number;
  /** Largest request head, in bytes (431 past it). */
  maxHeadBytes: number;
  /** Largest request body, in bytes (413 past it). */
  maxBodyBytes: number;
  /** Internal: this process is a worker of a `-w` parent. */
  workerChild: boolean;
}

/** The defaults, as documented in `--help`. */
export const DEFAULT_CONFIG: ServerConfig = {
  hostname: "0.0.0.0",
  port: 9234,
  docroot: ".",
  mode: "single",
  workers: 0,
  verbose: false,
  accessLog: true,
  dotfiles: false,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 15_000,
  sendTimeoutMs: 30_000,
  cgiTimeoutMs: 30_000,
  maxHeadBytes: 16_384,
  maxBodyBytes: 10 * 1024 * 1024,
  workerChild: false,
};
