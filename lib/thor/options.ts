/**
 * thor's command line, parsed with `node:util`'s `parseArgs`, and its
 * help text.
 *
 * @module
 */

import {
  parseDecimalFlag,
  parseFlags,
  parseIntegerFlag,
  UsageError,
} from "../common/flags.ts";
import { hasToken, type HeaderList, isToken } from "../http/header_fields.ts";
import { parseHeaderFlag } from "./header_flag.ts";
import { readTargetsFile, type RequestTarget } from "./targets.ts";
import {
  InvalidUrlError,
  parseTargetUrl,
  type TargetUrl,
} from "./target_url.ts";

/** How a run decides when to stop and how fast to send. */
export type RunMode = "count" | "duration" | "rate";

/** Everything a thor run needs to know. */
export interface ThorOptions {
  /** The URL to hammer; with `--targets`, the first target's. */
  url: TargetUrl;
  /** The distinct requests of `--targets FILE`, or null for one URL. */
  targets: RequestTarget[] | null;
  /** The `--targets` file's path, or null. */
  targetsFile: string | null;
  /** Requests per process (`-r`); the cap in count and rate modes. */
  requests: number;
  /** True when `-r` was given (rate mode stops after it). */
  requestsGiven: boolean;
  /** Processes (`-p`). */
  processes: number;
  /** Concurrent connections per process (`-c`). */
  connections: number;
  /** Run length in ms (`-d`), or null to stop after `requests`. */
  durationMs: number | null;
  /** Total requests per second across all processes (`--rate`), or null. */
  rate: number | null;
  /** Time allowed for connect, write and the whole response, in ms. */
  timeoutMs: number;
  /** Request method (`-m`); POST when a body is given without one. */
  method: string;
  /** Extra request headers (`-H`), in order. */
  headers: HeaderList;
  /** Request body text (`--body`), or null. */
  bodyText: string | null;
  /** Path of a request body file (`--body-file`), or null. */
  bodyFile: string | null;
  /** The request body bytes (from either flag), or null. */
  body: Uint8Array | null;
  /** Reuse connections (off with `--no-keepalive`). */
  keepAlive: boolean;
  /** Print the summary as JSON (`--json`). */
  json: boolean;
  /** File to dump response bodies into (`-o`; `-` is stdout), or null. */
  output: string | null;
  /** File for the per-second CSV (`--csv`), or null. */
  csv: string | null;
  /** File for the HTML report (`--html`), or null. */
  html: string | null;
  /** File for the run's histograms and counts (`--hdr-out`), or null. */
  hdrOut: string | null;
  /** Debug logging (`-v`). */
  verbose: boolean;
  /** Skip certificate checks (`-k`); see `insecure.ts`. */
  insecure: boolean;
  /** Extra trusted certificates, PEM, read from `--cacert`, or null. */
  caCerts: string | null;
  /** Name to send as SNI and verify the certificate against (`--sni`), or null for the URL's host. */
  sni: string | null;
  /** Internal: this process is a child of a `-p` parent. */
  child: boolean;
}

/** The result of reading thor's command line. */
export type ThorCommand =
  | { kind: "help" }
  | { kind: "run"; options: ThorOptions };

/** The `-h` text. */
export const THOR_HELP = `thor: hammer an HTTP server and measure it

Usage: thor [options] URL
       thor [options] --targets FILE

URL may be http://host[:port]/path, https://..., host[:port][/path?query]
or an IPv6 literal such as http://[::1]:8080/.

Options:
  -r N              requests per process (default 1)
  -p N              processes, started together (default 1)
  -c N              concurrent connections per process (default 1)
  -d SECONDS        run for this long instead of a number of requests
      --rate R      send R requests per second in total across processes,
                    measuring latency from each intended send time
                    (needs -d or -r)
      --timeout S   seconds allowed per request: connect, send and the
                    whole response (default 30)
  -m METHOD         request method (default GET, or POST with a body)
  -H 'Name: value'  add a request header (repeatable)
      --body TEXT   send TEXT as the request body
      --body-file F send the contents of file F as the request body
      --no-keepalive  open a new connection for every request
      --targets FILE  send the requests listed in FILE round-robin instead
                    of one URL, in vegeta's format: "METHOD URL", then
                    "Name: value" header lines and an optional "@BODYFILE"
                    line, a blank line between targets; list a target N
                    times to send it N times per round. -H headers are
                    added to every target; no URL, -m, --body or
                    --body-file with it. The report breaks down by target
  -o FILE           write response bodies to FILE (- for stdout)
      --json        print the summary as JSON on stdout
      --csv FILE    write one row per second to FILE: seconds since start,
                    requests completed, errors, p50 and p99 latency (ms)
      --html FILE   write a self-contained HTML report with charts to FILE
      --hdr-out FILE  write the run's histograms and counts to FILE (JSON),
                    to combine runs from several machines with thor merge
  -k, --insecure    do not check the server's certificate (thor restarts
                    itself under deno with --unsafely-ignore-certificate-errors;
                    a compiled thor cannot, use --cacert there)
      --cacert FILE trust the PEM certificates in FILE too (e.g. a
                    self-signed server's own certificate)
      --sni NAME    send NAME as TLS server name and check the certificate
                    against it instead of the URL's host
  -v                debug logging: each request's time, each process's average
  -h, --help        show this help

One request (the default) prints the response, head then body. More than
one prints a report. Exit status: 0 when the run completed (whatever the
HTTP statuses), 1 when requests failed to connect, send or receive, when
no request finished, or when a report file could not be written, 2 for
usage errors, 130 when interrupted (Ctrl-C).

Other modes (each has its own -h):
  thor --udp-ping   thor --heartbeat   thor --line   thor --chat
  thor merge FILE...  combine --hdr-out files into one report
`;

export { parseHeaderFlag } from "./header_flag.ts";

/** A decimal flag of thor that must be more than 0 and at most `max`. */
function parsePositiveFlag(name: string, value: string, max: number): number {
  return parseDecimalFlag(name, value, { max, wording: "positive, got" });
}

/** Reads `--cacert FILE`: PEM text holding at least one certificate. */
function readCaCerts(file: string): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`Cannot read CA file ${file}: ${reason}`);
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new UsageError(`CA file ${file} holds no PEM certificate`);
  }
  return text;
}

/** Checks `--sni NAME`: a DNS name (an IP address is never sent as SNI). */
function parseSniFlag(name: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9.])?$/.test(name)) {
    throw new UsageError(`SNI name "${name}" is not a host name`);
  }
  return name;
}

/**
 * Reads thor's command line (after any socket mode was ruled out). Reads
 * the `--body-file` file, so its errors are usage errors too.
 *
 * @throws {UsageError} for unknown flags, bad values, or a bad URL.
 */
export function parseThorArgs(args: readonly string[]): ThorCommand {
  const parsed = parseFlags(args, {
    requests: { type: "string", short: "r" },
    processes: { type: "string", short: "p" },
    connections: { type: "string", short: "c" },
    duration: { type: "string", short: "d" },
    rate: { type: "string" },
    timeout: { type: "string" },
    method: { type: "string", short: "m" },
    header: { type: "string", short: "H", multiple: true },
    body: { type: "string" },
    "body-file": { type: "string" },
    "no-keepalive": { type: "boolean" },
    targets: { type: "string" },
    output: { type: "string", short: "o" },
    json: { type: "boolean" },
    csv: { type: "string" },
    html: { type: "string" },
    "hdr-out": { type: "string" },
    verbose: { type: "boolean", short: "v" },
    insecure: { type: "boolean", short: "k" },
    cacert: { type: "string" },
    sni: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: true });
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  const positionals = parsed.positionals;
  const targetsFile = v.targets ?? null;
  let targets: RequestTarget[] | null = null;
  let url: TargetUrl;
  if (targetsFile !== null) {
    if (positionals.length > 0) {
      throw new UsageError("--targets and a URL cannot be combined");
    }
    // Each target says its own method and body; -H headers are shared.
    for (const flag of ["method", "body", "body-file"] as const) {
      if (v[flag] !== undefined) {
        throw new UsageError(
          `--targets and ${
            flag === "method" ? "-m" : `--${flag}`
          } cannot be combined`,
        );
      }
    }
    if (targetsFile === "") {
      throw new UsageError("--targets file name is empty");
    }
    targets = readTargetsFile(targetsFile);
    url = targets[0]!.url;
  } else {
    if (positionals.length === 0) throw new UsageError("A URL is required");
    if (positionals.length > 1) {
      throw new UsageError(
        `Only one URL can be given, got ${positionals.length}`,
      );
    }
    try {
      url = parseTargetUrl(positionals[0]!);
    } catch (err) {
      if (err instanceof InvalidUrlError) throw new UsageError(err.message);
      throw err;
    }
  }

  const requestsGiven = v.requests !== undefined;
  const requests = requestsGiven
    ? parseIntegerFlag("Requests (-r)", v.requests!, 1, 1_000_000_000)
    : 1;
  const durationMs = v.duration === undefined
    ? null
    // Not rounded: -d 0.0001 is 0.1 ms, a valid (if short) run.
    : parsePositiveFlag("Duration (-d)", v.duration, 86_400) * 1000;
  if (requestsGiven && durationMs !== null) {
    throw new UsageError("-r and -d cannot be combined");
  }
  const rate = v.rate === undefined
    ? null
    : parsePositiveFlag("Rate (--rate)", v.rate, 10_000_000);
  if (rate !== null && !requestsGiven && durationMs === null) {
    throw new UsageError("--rate needs -d SECONDS or -r N to end the run");
  }
  const processes = v.processes === undefined
    ? 1
    : parseIntegerFlag("Processes (-p)", v.processes, 1, 256);
  if (rate !== null && rate / processes < 0.001) {
    throw new UsageError(
      `Rate is too low to split between ${processes} processes`,
    );
  }
  const timeoutMs = v.timeout === undefined ? 30_000 : Math.max(
    1,
    Math.round(parsePositiveFlag("Timeout", v.timeout, 86_400) * 1000),
  );

  if (v.body !== undefined && v["body-file"] !== undefined) {
    throw new UsageError("--body and --body-file cannot be combined");
  }
  let body: Uint8Array | null = null;
  if (v.body !== undefined) body = new TextEncoder().encode(v.body);
  if (v["body-file"] !== undefined) {
    try {
      body = Deno.readFileSync(v["body-file"]);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new UsageError(
        `Cannot read body file ${v["body-file"]}: ${reason}`,
      );
    }
  }
  const method = v.method ?? (body === null ? "GET" : "POST");
  if (!isToken(method)) {
    throw new UsageError(`Method "${method}" is not a valid token`);
  }
  const headers = (v.header ?? []).map(parseHeaderFlag);
  let keepAlive = !v["no-keepalive"];
  for (const [name, value] of headers) {
    if (name.toLowerCase() === "connection" && hasToken(value, "close")) {
      keepAlive = false;
    }
  }
  if (v.output === "") throw new UsageError("Output file name is empty");
  // A -p child's stdout is its pipe to the parent, so bodies cannot go there.
  if (v.output === "-" && processes > 1) {
    throw new UsageError("-o - cannot be combined with -p; give a file name");
  }
  // Several processes appending one file would interleave large responses.
  if (v.output !== undefined && processes > 1) {
    throw new UsageError("-o cannot be combined with -p");
  }
  for (const flag of ["csv", "html", "hdr-out"] as const) {
    if (v[flag] === "") throw new UsageError(`--${flag} file name is empty`);
  }

  return {
    kind: "run",
    options: {
      url,
      targets,
      targetsFile,
      requests,
      requestsGiven,
      processes,
      connections: v.connections === undefined
        ? 1
        : parseIntegerFlag("Connections (-c)", v.connections, 1, 10_000),
      durationMs,
      rate,
      timeoutMs,
      method,
      headers,
      bodyText: v.body ?? null,
      bodyFile: v["body-file"] ?? null,
      body,
      keepAlive,
      json: Boolean(v.json),
      output: v.output ?? null,
      csv: v.csv ?? null,
      html: v.html ?? null,
      hdrOut: v["hdr-out"] ?? null,
      verbose: Boolean(v.verbose),
      insecure: Boolean(v.insecure),
      caCerts: v.cacert === undefined ? null : readCaCerts(v.cacert),
      sni: v.sni === undefined ? null : parseSniFlag(v.sni),
      // Only the parent's options line makes a child, never the command line.
      child: false,
    },
  };
}

/** How the run ends and paces itself. */
export function runMode(options: ThorOptions): RunMode {
  if (options.rate !== null) return "rate";
  return options.durationMs === null ? "count" : "duration";
}
