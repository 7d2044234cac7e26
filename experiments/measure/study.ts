/**
 * Runs the measurements of the study: makes the test files, then for each
 * part and each server configuration starts the server, warms it up per
 * workload, runs thor for every point and repetition, and stops it.
 * Writes `study.csv` and `timing.csv` into `--results`, merged with the
 * rows of the parts not rerun from `--previous` (so `--only latency`
 * replaces just the latency rows). Progress and ETA go to stderr.
 *
 * Usage: deno run -A experiments/measure/study.ts --profile full|quick --work DIR
 *          --results DIR [--previous DIR] [--only PARTS]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { canPin, recordedCpus } from "./cpu_pinning.ts";
import { runCli, StudyError } from "../data/errors.ts";
import {
  cpuBusyPercent,
  loadAverage1,
  type MachineFacts,
  machineFacts,
  peerVersion,
  repoVersion,
} from "./machine.ts";
import { makeDocroot } from "./make_files.ts";
import { CLIENT_CPUS, type ServerConfig } from "./configs.ts";
import {
  buildPlan,
  parseParts,
  type Point,
  type Profile,
  profileByName,
} from "./plan.ts";
import { counter, formatDuration, StudyProgress } from "./progress.ts";
import { runThor, studyRow, type ThorRunner } from "./run_point.ts";
import type { ThorSummary } from "./thor_summary.ts";
import { type RunningServer, startServer, stopAllServers } from "./servers.ts";
import {
  type Part,
  readStudyCsv,
  type StudyRow,
  writeStudyCsv,
} from "../data/study_row.ts";
import {
  type PartTiming,
  readTimingCsv,
  writeTimingCsv,
} from "../data/timing.ts";

const REPO_DIR = decodeURIComponent(new URL("../../", import.meta.url).pathname)
  .replace(/\/$/, "");
const WARMUP_CONNECTIONS = 8;
/** How long the machine's CPU use is sampled before each run. */
const BUSY_SAMPLE_MS = 200;
/** Above this share of busy CPU time before the study, it warns. */
const BUSY_WARNING_PCT = 25;

/** Everything the runs of one study share. */
interface StudyContext {
  profile: Profile;
  workDir: string;
  docroot: string;
  pin: boolean;
  machine: MachineFacts;
  thor: ThorRunner;
  thorVersion: string;
  versions: Map<string, string>;
  progress: StudyProgress;
  rows: StudyRow[];
}

function log(line: string): void {
  console.error(line);
}

async function serverVersion(config: ServerConfig): Promise<string> {
  if (config.server === "spidey") {
    return await repoVersion(REPO_DIR, "spidey", [
      "spidey.ts",
      "lib/server",
      "lib/http",
    ]);
  }
  return await peerVersion(config.server);
}

/** Unrecorded load before a workload's runs: JIT, caches, page cache. */
async function warmUp(
  ctx: StudyContext,
  server: RunningServer,
  point: Point,
): Promise<void> {
  if (ctx.profile.warmupS <= 0) return;
  const large = point.workload.name === "large";
  const warm: Point = {
    ...point,
    concurrency: large ? 1 : WARMUP_CONNECTIONS,
    durationS: large ? null : ctx.profile.warmupS,
    requests: large ? 1 : null,
  };
  await runThor(ctx.thor, warm, server.port);
}

/**
 * Runs thor for `point`, and once more if thor itself failed (no summary):
 * a single hiccup of a loaded machine should not end a long study, but
 * the same failure twice does, with thor's own words.
 */
async function runThorOnceMore(
  ctx: StudyContext,
  server: RunningServer,
  point: Point,
): Promise<ThorSummary> {
  try {
    return await runThor(ctx.thor, point, server.port);
  } catch (err) {
    if (!(err instanceof StudyError) || err.code !== "THOR_FAILED") throw err;
    log(`warning: ${err.message}; trying once more`);
    return await runThor(ctx.thor, point, server.port);
  }
}

async function runPoint(
  ctx: StudyContext,
  server: RunningServer,
  point: Point,
): Promise<void> {
  const load1 = loadAverage1();
  const cpuBusyPct = await cpuBusyPercent(BUSY_SAMPLE_MS);
  const timestamp = new Date();
  const summary = await runThorOnceMore(ctx, server, point);
  if (!server.alive()) {
    throw new StudyError(
      "SERVER_START_FAILED",
      `${point.config.name} exited during the run: ${
        server.logTail() || "no output"
      }`,
    );
  }
  const row = studyRow(point, summary, {
    profile: ctx.profile.name,
    machine: ctx.machine,
    thorVersion: ctx.thorVersion,
    serverVersion: ctx.versions.get(point.config.name) ?? "unknown",
    serverCpus: recordedCpus(ctx.pin, point.config.cpus),
    clientCpus: recordedCpus(ctx.pin, CLIENT_CPUS),
    load1,
    cpuBusyPct,
    timestamp,
  });
  ctx.rows.push(row);
  ctx.progress.finishOne();
  const p = ctx.progress;
  const errors = row.errors > 0
    ? `, ${row.errors} errors (${row.error_detail})`
    : "";
  log(
    `${
      counter(p.done, p.total)
    } ${point.part} ${point.config.name} ${point.workload.name} ` +
      `c=${point.concurrency} rep ${point.repetition}/${ctx.profile.repetitions}: ` +
      `${row.rps.toFixed(0)} req/s, ${
        row.mbps.toFixed(1)
      } MB/s, mean ${row.lat_mean_ms} ms, ` +
      `p99 ${row.lat_p99_ms} ms${errors} | ETA ${
        formatDuration(p.etaSeconds())
      }`,
  );
}

/** Runs the points of one configuration on one server start. */
async function runConfig(ctx: StudyContext, points: Point[]): Promise<void> {
  const config = points[0]!.config;
  if (!ctx.versions.has(config.name)) {
    ctx.versions.set(config.name, await serverVersion(config));
  }
  const server = await startServer(config, {
    repoDir: REPO_DIR,
    docroot: ctx.docroot,
    workDir: ctx.workDir,
    pin: ctx.pin,
  });
  try {
    let warmed = "";
    for (const point of points) {
      if (point.workload.name !== warmed) {
        await warmUp(ctx, server, point);
        warmed = point.workload.name;
      }
      await runPoint(ctx, server, point);
    }
  } finally {
    await server.stop();
  }
}

/** Splits points into runs of the same configuration, in order. */
function byConfig(points: readonly Point[]): Point[][] {
  const groups: Point[][] = [];
  for (const point of points) {
    const last = groups.at(-1);
    if (last !== undefined && last[0]!.config.name === point.config.name) {
      last.push(point);
    } else groups.push([point]);
  }
  return groups;
}

/**
 * The rows to publish: the previous rows of the same profile for the parts
 * not rerun, then the new ones.
 */
export function mergeRows<T extends { profile: string; part: string }>(
  previous: readonly T[],
  fresh: readonly T[],
  rerun: readonly string[],
  profile: string,
): T[] {
  const kept = previous.filter((row) =>
    row.profile === profile && !rerun.includes(row.part)
  );
  return [...kept, ...fresh];
}

/** A signal handler that stops the servers and exits with `code`. */
function interrupted(code: number): () => void {
  return () => {
    log("Interrupted: stopping servers");
    stopAllServers().finally(() => Deno.exit(code));
  };
}

async function runParts(
  ctx: StudyContext,
  parts: readonly Part[],
  points: readonly Point[],
  timings: PartTiming[],
): Promise<void> {
  for (const part of parts) {
    const partPoints = points.filter((p) => p.part === part);
    const partAt = new Date();
    const partStart = performance.now();
    log(`== ${part}: ${partPoints.length} runs`);
    for (const group of byConfig(partPoints)) await runConfig(ctx, group);
    timings.push({
      profile: ctx.profile.name,
      part,
      runs: partPoints.length,
      seconds: (performance.now() - partStart) / 1000,
      started_at: partAt.toISOString(),
    });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      profile: { type: "string", default: "full" },
      only: { type: "string", default: "" },
      work: { type: "string" },
      results: { type: "string" },
      previous: { type: "string" },
    },
  });
  if (values.work === undefined || values.results === undefined) {
    throw new StudyError("USAGE", "Missing --work DIR or --results DIR");
  }
  const profile = profileByName(values.profile);
  const parts: Part[] = parseParts(values.only);
  const workDir = values.work;
  const docroot = `${workDir}/docroot`;
  const started = performance.now();
  const timings: PartTiming[] = [];

  const pin = await canPin();
  const machine = machineFacts();
  const busy = await cpuBusyPercent(500);
  if (busy > BUSY_WARNING_PCT) {
    log(
      `warning: other processes keep ${busy}% of the CPUs busy; they will disturb the figures`,
    );
  }
  if (!pin) {
    log(
      "warning: taskset is missing or there is one CPU; servers and thor run unpinned",
    );
  }

  const filesAt = new Date();
  await makeDocroot(docroot, profile);
  timings.push({
    profile: profile.name,
    part: "files",
    runs: 0,
    seconds: (performance.now() - started) / 1000,
    started_at: filesAt.toISOString(),
  });

  const points = buildPlan(profile, parts);
  const progress = new StudyProgress(points);
  const ctx: StudyContext = {
    profile,
    workDir,
    docroot,
    pin,
    machine,
    thor: { repoDir: REPO_DIR, pin, cpus: CLIENT_CPUS },
    thorVersion: await repoVersion(REPO_DIR, "thor", [
      "thor.ts",
      "lib/thor",
      "lib/http",
    ]),
    versions: new Map(),
    progress,
    rows: [],
  };
  log(
    `Study (${profile.name}): ${points.length} runs in ${parts.join(", ")}; ` +
      `planned ${formatDuration(progress.etaSeconds())} before start-ups`,
  );

  const onSigint = interrupted(130);
  const onSigterm = interrupted(143);
  Deno.addSignalListener("SIGINT", onSigint);
  Deno.addSignalListener("SIGTERM", onSigterm);
  try {
    await runParts(ctx, parts, points, timings);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    Deno.removeSignalListener("SIGTERM", onSigterm);
  }

  const previousDir = values.previous;
  const previousRows = previousDir === undefined
    ? []
    : readStudyCsv(`${previousDir}/study.csv`);
  const previousTimings = previousDir === undefined
    ? []
    : readTimingCsv(`${previousDir}/timing.csv`);
  const rerun = ["files", ...parts];
  Deno.mkdirSync(values.results, { recursive: true });
  writeStudyCsv(
    `${values.results}/study.csv`,
    mergeRows(previousRows, ctx.rows, rerun, profile.name),
  );
  writeTimingCsv(
    `${values.results}/timing.csv`,
    mergeRows(previousTimings, timings, rerun, profile.name),
  );
  log(
    `Measured ${ctx.rows.length} runs in ${
      formatDuration(progress.elapsedSeconds())
    }`,
  );
}

if (import.meta.main) {
  await runCli("study", async () => {
    try {
      await main();
    } finally {
      await stopAllServers();
    }
  });
}
