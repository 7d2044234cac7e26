/**
 * What the study measures: the server configurations, the workloads, the
 * two profiles (`full` for the committed run, `quick` for the pipeline
 * test) and the flat list of points they expand to. Every point is bounded
 * in time: by thor's `-d` or by a request count, always with `--timeout`.
 *
 * @module
 */

import { type ConfigName, CONFIGS, type ServerConfig } from "./configs.ts";
import { StudyError } from "../data/errors.ts";
import { type Part, PARTS } from "../data/study_row.ts";

/** The workloads: what is requested. */
export type WorkloadName = "listing" | "cgi" | "small" | "medium" | "large";

/** One workload: a URL path on the study's docroot. */
export interface Workload {
  /** Its name in the CSV. */
  name: WorkloadName;
  /** Request type. */
  kind: "listing" | "static" | "cgi";
  /** URL path. */
  path: string;
  /** Static file size in bytes, 0 otherwise. */
  fileBytes: number;
  /** Static file size as a label, empty otherwise. */
  sizeLabel: string;
}

/** Sizes of the static files, in bytes. */
export interface FileSizes {
  /** The small file. */
  small: number;
  /** The medium file. */
  medium: number;
  /** The large file (sparse on disk). */
  large: number;
}

/** Settings of one profile. */
export interface Profile {
  /** `full` or `quick`. */
  name: "full" | "quick";
  /** Static file sizes. */
  sizes: FileSizes;
  /** Files and folders in the listed directory. */
  listingFiles: number;
  /** Folders in the listed directory. */
  listingDirs: number;
  /** Repetitions of each point. */
  repetitions: number;
  /** Seconds of warm-up load before each (configuration, workload); 0 for none. */
  warmupS: number;
  /** thor `--timeout` for time-bound runs. */
  timeoutS: number;
  /** thor `--timeout` for large-file runs. */
  largeTimeoutS: number;
  /** Large-file requests per connection (the run is bounded by count). */
  largeRequestsPerConnection: number;
  /** Per part: configurations, workloads, connection counts, run length. */
  parts: Record<Part, PartSettings>;
}

/** Settings of one part of a profile. */
export interface PartSettings {
  /** Configurations measured, in order. */
  configs: ConfigName[];
  /** Workloads measured. */
  workloads: WorkloadName[];
  /** Client connection counts. */
  concurrency: number[];
  /** Seconds per time-bound run. */
  durationS: number;
  /** Connections for the large file, when not `concurrency` (keeps runs short). */
  largeConcurrency?: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

const SPIDEY_MODES: ConfigName[] = [
  "spidey-single",
  "spidey-concurrent",
  "spidey-multi",
];

/** The committed study: ~15 minutes on a quiet 2-core machine. */
export const FULL_PROFILE: Profile = {
  name: "full",
  sizes: { small: KIB, medium: MIB, large: GIB },
  listingFiles: 40,
  listingDirs: 10,
  repetitions: 3,
  warmupS: 1,
  timeoutS: 10,
  largeTimeoutS: 120,
  largeRequestsPerConnection: 1,
  parts: {
    latency: {
      configs: SPIDEY_MODES,
      workloads: ["listing", "small", "cgi"],
      concurrency: [1, 8],
      durationS: 3,
    },
    throughput: {
      configs: SPIDEY_MODES,
      workloads: ["small", "medium", "large"],
      concurrency: [4],
      durationS: 3,
    },
    concurrency: {
      configs: [...SPIDEY_MODES, "nginx", "lighttpd"],
      workloads: ["small"],
      concurrency: [1, 2, 4, 8, 16, 32, 64],
      durationS: 2,
    },
    peers: {
      configs: [
        "spidey-concurrent",
        "spidey-multi",
        "nginx",
        "nginx-2w",
        "lighttpd",
      ],
      workloads: ["listing", "small", "medium", "large", "cgi"],
      concurrency: [8],
      durationS: 3,
      largeConcurrency: 2,
    },
  },
};

/** The pipeline check: every configuration and code path, tiny and short. */
export const QUICK_PROFILE: Profile = {
  name: "quick",
  sizes: { small: KIB, medium: 64 * KIB, large: MIB },
  listingFiles: 8,
  listingDirs: 2,
  repetitions: 1,
  warmupS: 0,
  timeoutS: 5,
  largeTimeoutS: 20,
  largeRequestsPerConnection: 2,
  parts: {
    latency: {
      configs: SPIDEY_MODES,
      workloads: ["listing", "small", "cgi"],
      concurrency: [1],
      durationS: 0.5,
    },
    throughput: {
      configs: SPIDEY_MODES,
      workloads: ["small", "medium", "large"],
      concurrency: [2],
      durationS: 0.5,
    },
    concurrency: {
      configs: [...SPIDEY_MODES, "nginx", "lighttpd"],
      workloads: ["small"],
      concurrency: [1, 4],
      durationS: 0.5,
    },
    peers: {
      configs: [
        "spidey-concurrent",
        "spidey-multi",
        "nginx",
        "nginx-2w",
        "lighttpd",
      ],
      workloads: ["small", "cgi"],
      concurrency: [4],
      durationS: 0.5,
    },
  },
};

/** The profile called `name`. */
export function profileByName(name: string): Profile {
  if (name === "full") return FULL_PROFILE;
  if (name === "quick") return QUICK_PROFILE;
  throw new StudyError(
    "USAGE",
    `Unknown profile "${name}" (use full or quick)`,
  );
}

/** A size in bytes as a short binary label: `1 KiB`, `64 KiB`, `1 GiB`. */
export function sizeLabel(bytes: number): string {
  const units: [number, string][] = [[GIB, "GiB"], [MIB, "MiB"], [KIB, "KiB"]];
  for (const [scale, unit] of units) {
    if (bytes >= scale && bytes % scale === 0) {
      return `${bytes / scale} ${unit}`;
    }
  }
  return `${bytes} B`;
}

/** The workload `name` under `profile`'s file sizes. */
export function workloadFor(profile: Profile, name: WorkloadName): Workload {
  switch (name) {
    case "listing":
      return {
        name,
        kind: "listing",
        path: "/list/",
        fileBytes: 0,
        sizeLabel: "",
      };
    case "cgi":
      return {
        name,
        kind: "cgi",
        path: "/hello.cgi",
        fileBytes: 0,
        sizeLabel: "",
      };
    default: {
      const bytes = profile.sizes[name];
      return {
        name,
        kind: "static",
        path: `/${name}.bin`,
        fileBytes: bytes,
        sizeLabel: sizeLabel(bytes),
      };
    }
  }
}

/** Servers without a handler for a request type. */
export function supports(config: ServerConfig, workload: Workload): boolean {
  return !(config.server === "nginx" && workload.kind === "cgi");
}

/** One thor run to make (one repetition of one point). */
export interface Point {
  /** The part it belongs to. */
  part: Part;
  /** The server configuration. */
  config: ServerConfig;
  /** What is requested. */
  workload: Workload;
  /** Client connections. */
  concurrency: number;
  /** Repetition number, from 1. */
  repetition: number;
  /** thor `-d` seconds, or null for a count-bound run. */
  durationS: number | null;
  /** thor `-r` requests, or null for a time-bound run. */
  requests: number | null;
  /** thor `--timeout` seconds. */
  timeoutS: number;
}

/**
 * The points of `parts` under `profile`, grouped so that each (part,
 * configuration) starts its server once and each workload is warmed up
 * once; repetitions of a point follow each other.
 */
export function buildPlan(profile: Profile, parts: readonly Part[]): Point[] {
  const points: Point[] = [];
  for (const part of PARTS) {
    if (!parts.includes(part)) continue;
    const settings = profile.parts[part];
    for (const configName of settings.configs) {
      const config = CONFIGS[configName];
      for (const workloadName of settings.workloads) {
        const workload = workloadFor(profile, workloadName);
        if (!supports(config, workload)) continue;
        const large = workload.name === "large";
        const levels = large && settings.largeConcurrency !== undefined
          ? [settings.largeConcurrency]
          : settings.concurrency;
        for (const concurrency of levels) {
          for (
            let repetition = 1;
            repetition <= profile.repetitions;
            repetition++
          ) {
            points.push({
              part,
              config,
              workload,
              concurrency,
              repetition,
              durationS: large ? null : settings.durationS,
              requests: large
                ? concurrency * profile.largeRequestsPerConnection
                : null,
              timeoutS: large ? profile.largeTimeoutS : profile.timeoutS,
            });
          }
        }
      }
    }
  }
  return points;
}

/**
 * Parses a comma-separated `--only` list into parts; empty means all.
 * An unknown name is a `USAGE` error listing the valid ones.
 */
export function parseParts(list: string): Part[] {
  if (list.trim() === "") return [...PARTS];
  const parts: Part[] = [];
  for (const raw of list.split(",")) {
    const name = raw.trim();
    const part = PARTS.find((p) => p === name);
    if (part === undefined) {
      throw new StudyError(
        "USAGE",
        `Unknown part "${name}" (use ${PARTS.join(", ")})`,
      );
    }
    if (!parts.includes(part)) parts.push(part);
  }
  return parts;
}

/** Seconds a point is expected to take, before thor's own start-up. */
export function expectedSeconds(point: Point): number {
  if (point.durationS !== null) return point.durationS;
  // Count-bound runs move large files; assume about 1 GB/s until the
  // progress display has measured better.
  return ((point.requests ?? 1) * point.workload.fileBytes) / 1e9;
}
