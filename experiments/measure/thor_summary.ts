/**
 * The part of thor's `--json` summary the study records, checked field by
 * field so that a change in thor's output fails loudly instead of
 * filling the CSV with zeros.
 *
 * @module
 */

import { StudyError } from "../data/errors.ts";

/** Latency figures of one run, in ms. */
export interface ThorLatency {
  /** Fastest. */
  min: number;
  /** Mean. */
  mean: number;
  /** Standard deviation. */
  stdev: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Slowest. */
  max: number;
}

/** thor's summary of one run. */
export interface ThorSummary {
  /** Requests started. */
  requests: number;
  /** Responses received. */
  completed: number;
  /** 2xx responses. */
  ok: number;
  /** Responses by status code. */
  status: Record<string, number>;
  /** Failures by class. */
  errors: Record<string, number>;
  /** Bytes received. */
  bytes: number;
  /** Run length in seconds. */
  elapsedS: number;
  /** Responses per second. */
  rps: number;
  /** Decimal MB/s. */
  mbps: number;
  /** Connections opened. */
  connections: number;
  /** Latency figures. */
  latency: ThorLatency;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberField(object: JsonObject, key: string, where: string): number {
  const value = object[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new StudyError(
      "THOR_FAILED",
      `thor's JSON summary has no number ${where}${key}`,
    );
  }
  return value;
}

function countsField(object: JsonObject, key: string): Record<string, number> {
  const value = object[key];
  if (!isObject(value)) {
    throw new StudyError(
      "THOR_FAILED",
      `thor's JSON summary has no object ${key}`,
    );
  }
  const counts: Record<string, number> = {};
  for (const name of Object.keys(value)) {
    counts[name] = numberField(value, name, `${key}.`);
  }
  return counts;
}

/** Parses and checks thor's `--json` output. */
export function parseThorSummary(text: string): ThorSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const start = text.trim().slice(0, 80);
    throw new StudyError(
      "THOR_FAILED",
      `thor printed no JSON summary (got "${start}")`,
    );
  }
  if (!isObject(parsed)) {
    throw new StudyError("THOR_FAILED", "thor's JSON summary is not an object");
  }
  const latency = parsed.latency_ms;
  if (!isObject(latency)) {
    throw new StudyError(
      "THOR_FAILED",
      "thor's JSON summary has no object latency_ms",
    );
  }
  const ms = (key: string) => numberField(latency, key, "latency_ms.");
  return {
    requests: numberField(parsed, "requests", ""),
    completed: numberField(parsed, "completed", ""),
    ok: numberField(parsed, "ok", ""),
    status: countsField(parsed, "status"),
    errors: countsField(parsed, "errors"),
    bytes: numberField(parsed, "bytes", ""),
    elapsedS: numberField(parsed, "elapsed_s", ""),
    rps: numberField(parsed, "rps", ""),
    mbps: numberField(parsed, "mbps", ""),
    connections: numberField(parsed, "connections", ""),
    latency: {
      min: ms("min"),
      mean: ms("mean"),
      stdev: ms("stdev"),
      p50: ms("p50"),
      p90: ms("p90"),
      p99: ms("p99"),
      max: ms("max"),
    },
  };
}

/** Total failures of a summary. */
export function errorCount(summary: ThorSummary): number {
  return Object.values(summary.errors).reduce((sum, n) => sum + n, 0);
}

/** Failures as `class:count` pairs joined by `;`, only non-zero classes. */
export function errorDetail(summary: ThorSummary): string {
  return Object.entries(summary.errors)
    .filter(([, n]) => n > 0)
    .map(([cls, n]) => `${cls}:${n}`)
    .join(";");
}

/** Responses whose status is not 2xx. */
export function non2xxCount(summary: ThorSummary): number {
  return Object.entries(summary.status)
    .filter(([code]) => !code.startsWith("2"))
    .reduce((sum, [, n]) => sum + n, 0);
}
