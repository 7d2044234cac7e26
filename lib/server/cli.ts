/**
 * spidey's command line, parsed with `node:util`'s `parseArgs` into a
 * {@linkcode ServerConfig}, and its help text.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import {
  parseBindFlag,
  parseFlags,
  parseIntegerFlag,
  parseSecondsFlag,
  UsageError,
} from "../common/flags.ts";
import { DEFAULT_CONFIG, type ServerConfig } from "./core/config.ts";
import { loadAccessControl } from "./access/access.ts";
import { AccessConfigError } from "./access/errors.ts";

/**
 * Where the bundled site is: `www/` beside the program's modules, which
 * `deno compile --include www` embeds at the same place in the binary.
 */
export const BUNDLED_SITE: string = fileURLToPath(
  new URL("../../www", import.meta.url),
);

/** The `-h` text. */
export const SPIDEY_HELP =
  `spidey: serve a folder over HTTP (static files, listings, CGI)

Usage: spidey [options]

Options:
  -p, --port PORT         port to listen on (default 9234; 0 picks a free one)
  -b, --bind ADDR         address to bind (default 0.0.0.0; [::] for IPv6)
  -d, --docroot DIR       document root to serve (default .)
      --bundled           serve the site that ships with spidey (www/, also
                          embedded in a compiled spidey)
  -f, --concurrent        concurrent mode: every connection handled at once,
                          with keep-alive and pipelining
  -w, --workers N         run N worker processes sharing the port (implies -f)
  -v, --verbose           debug logging
  -q, --quiet             no access log
      --dotfiles          serve and list names that start with a dot
      --cgi-timeout S     seconds a CGI script may run (default 30)
      --cgi-max N         CGI scripts run at once (default 2 per CPU core);
                          128 per script may wait, more get 503
      --body-timeout S    seconds a request body may stall, after which it
                          must also average 500 bytes/s (default 60)
      --header-timeout S  seconds to receive a request head (default 10)
      --idle-timeout S    seconds a keep-alive connection may idle (default 15)
      --max-body BYTES    largest request body accepted (default 10485760)
      --cert FILE         serve HTTPS with this PEM certificate (chain)
      --key FILE          the PEM private key of --cert
      --https             serve HTTPS with a self-signed certificate for
                          localhost, made on first use and kept in
                          $XDG_CACHE_HOME/spidey (default ~/.cache/spidey)
      --redirect-http PORT  also listen for plain HTTP on PORT and redirect
                          every request to the https URL
      --upload            take uploads (PUT, or the listing's form) anywhere
      --upload-dir DIR    take uploads under the URL path DIR only (repeatable)
      --overwrite         let an upload replace a file (default: 409 Conflict)
      --max-upload BYTES  largest upload accepted (default 1073741824)
      --archives          offer each folder as .tar.gz and .zip downloads
      --auth USER:PASS    require an HTTP Basic login, here as USER with
                          password PASS (repeatable; visible to ps: prefer
                          --auth-file)
      --auth-file FILE    require a login listed in an htpasswd FILE (bcrypt,
                          {SHA} or $apr1$ hashes)
      --auth-realm NAME   realm of the login (default spidey)
      --cors [ORIGIN]     allow cross-origin requests from ORIGIN
                          (repeatable), or from any origin without one
  -H, --header 'N: V'     add header N: V to every response (repeatable);
                          a response's own header of that name wins
  -h, --help              show this help

Without -f or -w, spidey serves one connection at a time and closes it after
its response, like a sequential accept loop.

Other modes (each has its own -h):
  spidey --udp-ping-server   spidey --heartbeat-server
  spidey --echo-server       spidey --chat-server
`;

/** A seconds flag of spidey in whole milliseconds. */
function parseMsFlag(name: string, value: string): number {
  return Math.round(parseSecondsFlag(name, value, { wording: "positive" }));
}

/** Fills in the TLS fields of `config` from `--cert`, `--key`, `--https`, `--redirect-http`. */
function readTlsFlags(
  v: {
    cert?: string;
    key?: string;
    https?: boolean;
    "redirect-http"?: string;
  },
  config: ServerConfig,
): void {
  if ((v.cert === undefined) !== (v.key === undefined)) {
    throw new UsageError("--cert and --key go together");
  }
  if (v.cert === "" || v.key === "") {
    throw new UsageError("TLS file name is empty");
  }
  if (v.cert !== undefined && v.key !== undefined) {
    config.tlsCertFile = v.cert;
    config.tlsKeyFile = v.key;
  } else if (v.https) config.tlsSelfSigned = true;
  if (v["redirect-http"] !== undefined) {
    if (config.tlsCertFile === "" && !config.tlsSelfSigned) {
      throw new UsageError("--redirect-http needs --https or --cert and --key");
    }
    config.redirectHttpPort = parseIntegerFlag(
      "Redirect port",
      v["redirect-http"],
      0,
      65535,
    );
  }
}

/** Fills in the upload fields of `config` from `--upload` and its kin. */
function readUploadFlags(
  v: {
    upload?: boolean;
    "upload-dir"?: string[];
    overwrite?: boolean;
    "max-upload"?: string;
  },
  config: ServerConfig,
): void {
  const dirs = v["upload-dir"] ?? [];
  if (v.upload && dirs.length > 0) {
    throw new UsageError("Use either --upload or --upload-dir, not both");
  }
  for (const dir of dirs) {
    if (!dir.startsWith("/")) {
      throw new UsageError(`Upload folder ${dir} is not a URL path (from /)`);
    }
    if (dir.split("/").some((s) => s === "." || s === "..")) {
      throw new UsageError(`Upload folder ${dir} holds a dot segment`);
    }
  }
  config.uploadDirs = v.upload ? ["/"] : dirs;
  if (config.uploadDirs.length === 0 && (v.overwrite || v["max-upload"])) {
    throw new UsageError("--overwrite and --max-upload need --upload");
  }
  config.uploadOverwrite = Boolean(v.overwrite);
  if (v["max-upload"] !== undefined) {
    config.maxUploadBytes = parseIntegerFlag(
      "Max upload",
      v["max-upload"],
      0,
      Number.MAX_SAFE_INTEGER,
    );
  }
}

/**
 * `--cors` with no value (last, or before another flag) as `--cors=*`:
 * `parseArgs` has no optional values.
 */
function withCorsValues(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    if (arg !== "--cors") return arg;
    const next = args[i + 1];
    return next === undefined || next.startsWith("-") ? "--cors=*" : arg;
  });
}

/** Fills in the access fields of `config` from `--auth`, `--cors`, `-H`… */
function readAccessFlags(
  v: {
    auth?: string[];
    "auth-file"?: string;
    "auth-realm"?: string;
    cors?: string[];
    header?: string[];
  },
  config: ServerConfig,
): void {
  config.authUsers = v.auth ?? [];
  if (v["auth-file"] !== undefined) {
    if (v["auth-file"] === "") throw new UsageError("Password file is empty");
    config.authFile = v["auth-file"];
  }
  if (v["auth-realm"] !== undefined) {
    // Quoted in WWW-Authenticate: printable ASCII only.
    if (!/^[\x20-\x7e]+$/.test(v["auth-realm"])) {
      throw new UsageError("Realm must be printable ASCII, not empty");
    }
    config.authRealm = v["auth-realm"];
  }
  config.corsOrigins = v.cors ?? [];
  config.extraHeaders = v.header ?? [];
  try {
    loadAccessControl({ ...config, authFile: "" });
  } catch (err) {
    if (err instanceof AccessConfigError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
}

/** The result of reading spidey's command line. */
export type ServerCommand =
  | { kind: "help" }
  | { kind: "serve"; config: ServerConfig };

/**
 * Reads spidey's command line.
 *
 * @throws {UsageError} for unknown flags, missing values or bad numbers.
 */
export function parseServerArgs(args: readonly string[]): ServerCommand {
  const parsed = parseFlags(withCorsValues(args), {
    port: { type: "string", short: "p" },
    bind: { type: "string", short: "b" },
    docroot: { type: "string", short: "d" },
    bundled: { type: "boolean" },
    concurrent: { type: "boolean", short: "f" },
    workers: { type: "string", short: "w" },
    verbose: { type: "boolean", short: "v" },
    quiet: { type: "boolean", short: "q" },
    dotfiles: { type: "boolean" },
    "cgi-timeout": { type: "string" },
    "cgi-max": { type: "string" },
    "body-timeout": { type: "string" },
    "header-timeout": { type: "string" },
    "idle-timeout": { type: "string" },
    "max-body": { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    https: { type: "boolean" },
    "redirect-http": { type: "string" },
    upload: { type: "boolean" },
    "upload-dir": { type: "string", multiple: true },
    overwrite: { type: "boolean" },
    "max-upload": { type: "string" },
    archives: { type: "boolean" },
    auth: { type: "string", multiple: true },
    "auth-file": { type: "string" },
    "auth-realm": { type: "string" },
    cors: { type: "string", multiple: true },
    header: { type: "string", short: "H", multiple: true },
    "worker-child": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  if (v.port !== undefined) {
    config.port = parseIntegerFlag("Port", v.port, 0, 65535);
  }
  if (v.bind !== undefined) config.hostname = parseBindFlag(v.bind);
  if (v.bundled && v.docroot !== undefined) {
    throw new UsageError("Use either -d or --bundled, not both");
  }
  if (v.bundled) config.docroot = BUNDLED_SITE;
  if (v.docroot !== undefined) {
    if (v.docroot === "") throw new UsageError("Document root is empty");
    config.docroot = v.docroot;
  }
  if (v.concurrent) config.mode = "concurrent";
  if (v.workers !== undefined) {
    config.workers = parseIntegerFlag("Workers", v.workers, 1, 256);
    config.mode = "concurrent";
  }
  config.verbose = Boolean(v.verbose);
  config.accessLog = !v.quiet;
  config.dotfiles = Boolean(v.dotfiles);
  if (v["cgi-timeout"] !== undefined) {
    config.cgiTimeoutMs = parseMsFlag("CGI timeout", v["cgi-timeout"]);
  }
  if (v["cgi-max"] !== undefined) {
    config.cgiMaxScripts = parseIntegerFlag("CGI max", v["cgi-max"], 1, 4096);
  }
  if (v["body-timeout"] !== undefined) {
    config.bodyTimeoutMs = parseMsFlag("Body timeout", v["body-timeout"]);
  }
  if (v["header-timeout"] !== undefined) {
    config.headerTimeoutMs = parseMsFlag(
      "Header timeout",
      v["header-timeout"],
    );
  }
  if (v["idle-timeout"] !== undefined) {
    config.idleTimeoutMs = parseMsFlag("Idle timeout", v["idle-timeout"]);
  }
  if (v["max-body"] !== undefined) {
    config.maxBodyBytes = parseIntegerFlag(
      "Max body",
      v["max-body"],
      0,
      Number.MAX_SAFE_INTEGER,
    );
  }
  readTlsFlags(v, config);
  readUploadFlags(v, config);
  config.archives = Boolean(v.archives);
  readAccessFlags(v, config);
  config.workerChild = Boolean(v["worker-child"]);
  return { kind: "serve", config };
}
