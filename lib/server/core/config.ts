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
  /** CGI scripts run at once (`--cgi-max`); more wait in a bounded queue. */
  cgiMaxScripts: number;
  /**
   * Longest wait for request body bytes, and the grace period after which
   * a body must average 500 bytes/s (`--body-timeout`), in ms.
   */
  bodyTimeoutMs: number;
  /** Largest request head, in bytes (431 past it). */
  maxHeadBytes: number;
  /** Largest request body, in bytes (413 past it). */
  maxBodyBytes: number;
  /** TLS certificate file (`--cert`); "" serves plain HTTP. */
  tlsCertFile: string;
  /** TLS private key file (`--key`); "" with no certificate. */
  tlsKeyFile: string;
  /**
   * Serve https with a self-signed localhost certificate kept in the
   * user's cache folder (`--https` without `--cert`).
   */
  tlsSelfSigned: boolean;
  /** Port of a plain listener redirecting to https (`--redirect-http`); -1 for none. */
  redirectHttpPort: number;
  /**
   * URL path prefixes of the folders that take uploads (`--upload` is
   * `["/"]`, `--upload-dir` adds one each); empty: uploads are off.
   */
  uploadDirs: string[];
  /** An upload may replace a file of the same name (`--overwrite`). */
  uploadOverwrite: boolean;
  /** Largest upload body, in bytes (`--max-upload`; 413 past it). */
  maxUploadBytes: number;
  /** Folders download as `.tar.gz` or `.zip` (`--archives`). */
  archives: boolean;
  /** `user:password` pairs of `--auth` (repeatable). */
  authUsers: string[];
  /** Password file in htpasswd format (`--auth-file`); "" for none. */
  authFile: string;
  /** Realm of the Basic challenge (`--auth-realm`). */
  authRealm: string;
  /** Allowed origins (`--cors`): `["*"]` for any, `[]` for CORS off. */
  corsOrigins: string[];
  /** `Name: value` headers added to every response (`-H`, repeatable). */
  extraHeaders: string[];
  /** Internal: this process is a worker of a `-w` parent. */
  workerChild: boolean;
}

/**
 * Two scripts per CPU core this process may run on (at least two): enough
 * to keep every core busy while half of the scripts wait on I/O, few
 * enough that a burst cannot start hundreds of processes at once and
 * starve the server's own event loop (bench/cgi_burst.sh).
 */
function defaultCgiMax(): number {
  return Math.max(2, 2 * (navigator.hardwareConcurrency || 1));
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
  cgiMaxScripts: defaultCgiMax(),
  bodyTimeoutMs: 60_000,
  maxHeadBytes: 16_384,
  maxBodyBytes: 10 * 1024 * 1024,
  tlsCertFile: "",
  tlsKeyFile: "",
  tlsSelfSigned: false,
  redirectHttpPort: -1,
  uploadDirs: [],
  uploadOverwrite: false,
  maxUploadBytes: 1024 * 1024 * 1024,
  archives: false,
  authUsers: [],
  authFile: "",
  authRealm: "spidey",
  corsOrigins: [],
  extraHeaders: [],
  workerChild: false,
};

/** True when `config` serves https (`--cert` or `--https`). */
export function servesTls(config: ServerConfig): boolean {
  return config.tlsCertFile !== "" || config.tlsSelfSigned;
}
