/**
 * A thor load run in the test's own process, set up from a URL and the few
 * settings a test varies (the rest as the CLI defaults them), so that tests
 * of the load loop drive it without going through a child process.
 *
 * @module
 */

import { Destination } from "../../lib/thor/destination.ts";
import type { DumpWriter } from "../../lib/thor/dump.ts";
import { LoadRun } from "../../lib/thor/load.ts";
import { buildRequestBytes } from "../../lib/thor/request_bytes.ts";
import { parseTargetUrl } from "../../lib/thor/target_url.ts";

/** What a test may set; everything is optional. */
export interface LoadRunOptions {
  /** Requests to send (default 1), or null for a duration or rate run. */
  requests?: number | null;
  /** Connections (default 1). */
  connections?: number;
  /** Time per request in ms (default 10,000). */
  timeoutMs?: number;
  /** Method (default GET). */
  method?: string;
  /** Request body as text (default none). */
  body?: string;
  /** Keep connections alive (default true). */
  keepAlive?: boolean;
  /** Run length in ms (default none). */
  durationMs?: number | null;
  /** Requests per second (default none: closed loop). */
  rate?: number | null;
  /** Where responses are dumped (default nowhere). */
  dump?: DumpWriter | null;
}

/** A load run of `o` against `url`, not yet prepared. */
export function loadRunFor(url: string, o: LoadRunOptions = {}): LoadRun {
  const target = parseTargetUrl(url);
  const method = o.method ?? "GET";
  const keepAlive = o.keepAlive ?? true;
  return new LoadRun({
    destination: new Destination(target),
    request: buildRequestBytes({
      url: target,
      method,
      headers: [],
      body: o.body === undefined ? null : new TextEncoder().encode(o.body),
      keepAlive,
    }),
    method,
    connections: o.connections ?? 1,
    requests: o.requests === undefined ? 1 : o.requests,
    durationMs: o.durationMs ?? null,
    rate: o.rate ?? null,
    timeoutMs: o.timeoutMs ?? 10_000,
    keepAlive,
    dump: o.dump ?? null,
  });
}
