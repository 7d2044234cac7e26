/**
 * The child side of `thor -p`: read the run's options from the parent,
 * connect, say `ready`, wait for the parent's `go` so that every process
 * starts measuring at once, run, and report the results as one `RunStats`
 * wire line on stdout.
 *
 * A child starts as `thor --child` and reads one JSON line of options on
 * stdin (see `../common/supervisor.ts`). Lines it writes: `ready`,
 * `progress DONE ERRORS` (a few times a second), `error CLASS MESSAGE`
 * (its last failure, if any), then `stats WIRE`. Lines it reads after the
 * options: `go`, then `stop` (or end of input) to end early.
 *
 * @module
 */

import { isRecord } from "../common/json.ts";
import { UsageError } from "../common/flags.ts";
import { isVerbose } from "../common/log.ts";
import { ParentLink, ParentLinkError } from "../common/supervisor.ts";
import { DumpWriter } from "./dump.ts";
import { LoadRun, logAverageElapsed } from "./load.ts";
import type { ThorOptions } from "./options.ts";
import { loadPlanFor } from "./plan.ts";
import { scheduledCount, shareOf } from "./rate_pacer.ts";

/** The flag a child starts with: it reads its options from stdin. */
export const CHILD_FLAG = "--child";

/** Control lines between a `-p` parent and its children. */
export const CHILD_LINES = {
  ready: "ready",
  go: "go",
  stop: "stop",
  progress: "progress",
  error: "error",
  stats: "stats",
} as const;

/**
 * What child `index` of a `-p` run runs: the same run in one process, with
 * its even share of the total rate. A `--rate … -d` schedule of
 * rate × duration requests is split exactly: each child gets the floor or
 * ceil share as its `requests` (with `requestsGiven`, which in rate mode
 * means "stop after that many").
 */
export function childOptions(options: ThorOptions, index = 0): ThorOptions {
  const split = options.rate !== null && !options.requestsGiven &&
    options.durationMs !== null;
  return {
    ...options,
    processes: 1,
    rate: options.rate === null ? null : options.rate / options.processes,
    ...(split
      ? {
        requests: shareOf(
          scheduledCount(options.rate!, options.durationMs!),
          options.processes,
          index,
        ),
        requestsGiven: true,
      }
      : {}),
    // Report files are the parent's to write, from the merged stats.
    csv: null,
    html: null,
    hdrOut: null,
    child: true,
  };
}

/** The options line that carries `options` to a child (body in base64). */
export function encodeChildOptions(options: ThorOptions): string {
  return JSON.stringify({
    ...options,
    body: options.body === null ? null : options.body.toBase64(),
    targets: options.targets === null ? null : options.targets.map((t) => ({
      ...t,
      body: t.body === null ? null : t.body.toBase64(),
    })),
  });
}

type FieldKind =
  | "string"
  | "number"
  | "boolean"
  | "string|null"
  | "number|null"
  | "url"
  | "headers"
  | "base64|null"
  | "targets|null";

// Typed over every key of ThorOptions: a new option fails to compile
// until it says how it travels.
const FIELD_KINDS: { readonly [K in keyof ThorOptions]-?: FieldKind } = {
  url: "url",
  targets: "targets|null",
  targetsFile: "string|null",
  requests: "number",
  requestsGiven: "boolean",
  processes: "number",
  connections: "number",
  durationMs: "number|null",
  rate: "number|null",
  timeoutMs: "number",
  method: "string",
  headers: "headers",
  bodyText: "string|null",
  bodyFile: "string|null",
  body: "base64|null",
  keepAlive: "boolean",
  json: "boolean",
  output: "string|null",
  csv: "string|null",
  html: "string|null",
  hdrOut: "string|null",
  verbose: "boolean",
  insecure: "boolean",
  caCerts: "string|null",
  sni: "string|null",
  child: "boolean",
};

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "string|null":
      return value === null || typeof value === "string";
    case "number|null":
      return value === null || typeof value === "number";
    case "url":
      return isRecord(value) && typeof value.input === "string";
    case "headers":
      return Array.isArray(value) &&
        value.every((h) =>
          Array.isArray(h) && h.length === 2 &&
          h.every((part) => typeof part === "string")
        );
    case "base64|null":
      return value === null ||
        (typeof value === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(value));
    case "targets|null":
      return value === null ||
        (Array.isArray(value) && value.length > 0 &&
          value.every((t) =>
            isRecord(t) && fits("url", t.url) &&
            fits("string", t.method) && fits("headers", t.headers) &&
            fits("base64|null", t.body) && typeof t.weight === "number" &&
            Number.isSafeInteger(t.weight) && t.weight >= 1
          ));
  }
}

/**
 * A child's options from the JSON value of its options line.
 *
 * @throws {UsageError} when a field is missing or of the wrong type.
 */
export function decodeChildOptions(value: unknown): ThorOptions {
  if (!isRecord(value)) {
    throw new UsageError("The child options from the parent are not an object");
  }
  const options: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(FIELD_KINDS)) {
    if (!fits(kind, value[key])) {
      throw new UsageError(
        `The child option ${key} from the parent is missing or invalid`,
      );
    }
    options[key] = value[key];
  }
  const body = value.body;
  options.body = typeof body === "string" ? Uint8Array.fromBase64(body) : null;
  if (Array.isArray(value.targets)) {
    options.targets = value.targets.map((t: Record<string, unknown>) => ({
      ...t,
      body: typeof t.body === "string" ? Uint8Array.fromBase64(t.body) : null,
    }));
  }
  return options as unknown as ThorOptions;
}

// stdin is one per process: the options and the control lines share it.
let parent: ParentLink | null = null;

function parentLink(): ParentLink {
  return parent ??= new ParentLink();
}

/** True when `args` start this process as a `-p` child. */
export function isChildCall(args: readonly string[]): boolean {
  return args.length === 1 && args[0] === CHILD_FLAG;
}

/**
 * Reads this child's options from its parent (the first line on stdin).
 *
 * @throws {UsageError} when no valid options come.
 */
export async function readChildOptions(): Promise<ThorOptions> {
  try {
    return decodeChildOptions(await parentLink().readOptions());
  } catch (err) {
    if (err instanceof ParentLinkError) throw new UsageError(err.message);
    throw err;
  }
}

/** Runs this process as a `-p` child; resolves to its exit status. */
export async function runChild(options: ThorOptions): Promise<number> {
  const link = parentLink();
  const dump = options.output === null
    ? null
    : DumpWriter.open(options.output, false);
  const run = new LoadRun(loadPlanFor(options, dump));
  await run.prepare();
  link.send(CHILD_LINES.ready);
  if (await link.nextLine() !== CHILD_LINES.go) {
    // The parent gave up before the start: report an empty run.
    link.send(`${CHILD_LINES.stats} ${run.stats.toWire()}`);
    return 0;
  }
  let interrupted = false;
  (async () => {
    for (;;) {
      const line = await link.nextLine();
      if (line === null || line === CHILD_LINES.stop) break;
    }
    interrupted = true;
    run.stop();
  })();
  // Ctrl-C reaches the whole process group: the parent merges what each
  // child measured, so a child stops and reports rather than dies.
  const onInterrupt = () => {
    interrupted = true;
    run.stop();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const ticker = setInterval(() => {
    link.send(
      `${CHILD_LINES.progress} ${run.stats.issued} ${run.stats.errorCount}`,
    );
  }, 250);
  try {
    await run.run();
  } finally {
    clearInterval(ticker);
    Deno.removeSignalListener("SIGINT", onInterrupt);
    dump?.close();
  }
  if (run.lastError !== null) {
    link.send(
      `${CHILD_LINES.error} ${run.lastError.cls} ${run.lastError.message}`,
    );
  }
  if (isVerbose()) logAverageElapsed(run.stats);
  run.stats.interrupted = interrupted;
  link.send(`${CHILD_LINES.stats} ${run.stats.toWire()}`);
  if (interrupted) return 130;
  return run.stats.errorCount > 0 ? 1 : 0;
}
