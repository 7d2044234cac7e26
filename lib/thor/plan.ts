/**
 * Turning thor's options into one process's {@linkcode LoadPlan}.
 *
 * @module
 */

import { Destination } from "./destination.ts";
import type { DumpWriter } from "./dump.ts";
import type { LoadPlan } from "./load.ts";
import { runMode, type ThorOptions } from "./options.ts";
import { buildRequestBytes } from "./request_bytes.ts";

/**
 * The plan for a process that runs `options` itself: a single-process run,
 * or a `-p` child, whose `-r` and `--rate` are already its own share.
 */
export function loadPlanFor(
  options: ThorOptions,
  dump: DumpWriter | null,
): LoadPlan {
  const mode = runMode(options);
  const counted = mode === "count" ||
    (mode === "rate" && options.requestsGiven);
  return {
    destination: new Destination(options.url, {
      caCerts: options.caCerts,
      sni: options.sni,
    }),
    request: buildRequestBytes({
      url: options.url,
      method: options.method,
      headers: options.headers,
      body: options.body,
      keepAlive: options.keepAlive,
    }),
    method: options.method,
    connections: options.connections,
    requests: counted ? options.requests : null,
    durationMs: options.durationMs,
    rate: options.rate,
    timeoutMs: options.timeoutMs,
    keepAlive: options.keepAlive,
    dump,
  };
}

/** Requests the whole run will make, when fixed in advance. */
export function plannedTotal(options: ThorOptions): number | undefined {
  const mode = runMode(options);
  if (mode === "count" || (mode === "rate" && options.requestsGiven)) {
    return options.requests * options.processes;
  }
  return undefined;
}
