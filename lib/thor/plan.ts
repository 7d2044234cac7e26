/**
 * Turning thor's options into one process's {@linkcode LoadPlan}.
 *
 * @module
 */

import type { HeaderList } from "../http/header_fields.ts";
import { isIdempotent, type SlotTarget } from "./connection_slot.ts";
import { Destination } from "./destination.ts";
import type { DumpWriter } from "./dump.ts";
import type { LoadPlan } from "./load.ts";
import { runMode, type ThorOptions } from "./options.ts";
import { buildRequestBytes } from "./request_bytes.ts";
import { type RequestTarget, targetRound } from "./targets.ts";

/** A target's headers after the `-H` ones it does not set itself. */
export function targetHeaders(
  shared: HeaderList,
  own: HeaderList,
): HeaderList {
  const named = new Set(own.map(([name]) => name.toLowerCase()));
  return [
    ...shared.filter(([name]) => !named.has(name.toLowerCase())),
    ...own,
  ];
}

/**
 * The slot targets of a `--targets` run: one {@linkcode Destination} (so
 * one connection pool) per scheme, host and port, and each target's
 * request bytes built once.
 */
function slotTargets(
  options: ThorOptions,
  targets: readonly RequestTarget[],
): SlotTarget[] {
  const pools = new Map<string, { destination: Destination; pool: number }>();
  return targets.map((target) => {
    const key = `${target.url.scheme}://${target.url.host}:${target.url.port}`;
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = {
        destination: new Destination(target.url, {
          caCerts: options.caCerts,
          sni: options.sni,
        }),
        pool: pools.size,
      };
      pools.set(key, pool);
    }
    return {
      ...pool,
      request: buildRequestBytes({
        url: target.url,
        method: target.method,
        headers: targetHeaders(options.headers, target.headers),
        body: target.body,
        keepAlive: options.keepAlive,
      }),
      method: target.method,
      retryable: isIdempotent(target.method),
    };
  });
}

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
  if (options.targets !== null) {
    const list = slotTargets(options, options.targets);
    const first = list[0]!;
    return {
      destination: first.destination,
      request: first.request,
      method: first.method,
      targets: { list, round: targetRound(options.targets) },
      connections: options.connections,
      requests: counted ? options.requests : null,
      durationMs: options.durationMs,
      rate: options.rate,
      timeoutMs: options.timeoutMs,
      keepAlive: options.keepAlive,
      dump,
    };
  }
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
