/**
 * The client of bench/cgi_burst.sh: how a server answers static requests
 * while a burst of CGI requests arrives. A prober asks for a static file
 * on one keep-alive connection every `--interval-ms`, and its latency is
 * counted from when each request was due, not from when it was sent (as
 * wrk2 does), so a stalled server cannot hide its stall by delaying the
 * prober. First alone (baseline), then while `--burst` CGI requests are
 * sent at once, each on its own connection. Loopback only; every wait is
 * bounded.
 *
 * Usage: deno run -A bench/cgi_burst_client.ts --port N --static PATH
 *   --cgi PATH [--burst 200] [--interval-ms 5] [--baseline-s 2]
 *   [--timeout-s 60] [--label NAME]
 * Prints one JSON line.
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string" },
    static: { type: "string", default: "/1k.txt" },
    cgi: { type: "string", default: "/cgi-bin/hello.cgi" },
    burst: { type: "string", default: "200" },
    "interval-ms": { type: "string", default: "5" },
    "baseline-s": { type: "string", default: "2" },
    "timeout-s": { type: "string", default: "60" },
    label: { type: "string", default: "server" },
  },
});
const PORT = Number(values.port);
if (!Number.isInteger(PORT) || PORT <= 0) {
  console.error("usage: cgi_burst_client.ts --port N [options]");
  Deno.exit(2);
}
const BURST = Number(values.burst);
const INTERVAL_MS = Number(values["interval-ms"]);
const TIMEOUT_MS = Number(values["timeout-s"]) * 1000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads one response with a Content-Length body off a keep-alive conn. */
class KeepAliveProbe {
  #conn: Deno.Conn;
  #buf = new Uint8Array(65536);
  #have = 0;
  #request: Uint8Array;

  constructor(conn: Deno.Conn, path: string) {
    this.#conn = conn;
    this.#request = encoder.encode(
      `GET ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`,
    );
  }

  async once(): Promise<number> {
    await this.#conn.write(this.#request);
    for (;;) {
      const text = decoder.decode(this.#buf.subarray(0, this.#have));
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const status = Number(text.slice(9, 12));
        const length = Number(/content-length: *(\d+)/i.exec(text)?.[1] ?? 0);
        const total = end + 4 + length;
        if (this.#have >= total) {
          this.#buf.copyWithin(0, total, this.#have);
          this.#have -= total;
          return status;
        }
      }
      const n = await this.#conn.read(this.#buf.subarray(this.#have));
      if (n === null) throw new Error("The server closed the probe");
      this.#have += n;
    }
  }
}

/**
 * Probes every INTERVAL_MS until `done()`; latencies are counted from when
 * each probe was due.
 */
async function probe(
  path: string,
  done: () => boolean,
): Promise<{ latencies: number[]; errors: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: PORT });
  conn.setNoDelay(true);
  const p = new KeepAliveProbe(conn, path);
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  try {
    for (let i = 0; !done(); i++) {
      const due = start + i * INTERVAL_MS;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      const status = await p.once();
      if (status !== 200) errors++;
      latencies.push(performance.now() - due);
    }
  } finally {
    conn.close();
  }
  return { latencies, errors };
}

/** One CGI request on its own connection; resolves to its status (0: failed). */
async function cgiRequest(path: string): Promise<number> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port: PORT });
  } catch {
    return 0;
  }
  const timer = setTimeout(() => conn.close(), TIMEOUT_MS);
  try {
    await conn.write(encoder.encode(
      `GET ${path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`,
    ));
    const buf = new Uint8Array(16384);
    let head = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      if (head.length < 12) head += decoder.decode(buf.subarray(0, n));
    }
    return Number(head.slice(9, 12)) || 0;
  } catch {
    return 0;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    samples: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? 0),
  };
}

// Baseline: the static file alone.
const baselineUntil = performance.now() + Number(values["baseline-s"]) * 1000;
const baseline = await probe(
  values.static,
  () => performance.now() > baselineUntil,
);

// The burst, with the prober running until every CGI request is answered.
let pending = BURST;
const burstStart = performance.now();
const answers = Array.from(
  { length: BURST },
  () =>
    cgiRequest(values.cgi).finally(() => {
      pending--;
    }),
);
const during = probe(
  values.static,
  () => pending === 0 || performance.now() - burstStart > TIMEOUT_MS,
);
const statuses = await Promise.all(answers);
const burstMs = performance.now() - burstStart;
const duringBurst = await during;

const counts: Record<string, number> = {};
for (const s of statuses) counts[String(s)] = (counts[String(s)] ?? 0) + 1;
console.log(JSON.stringify({
  server: values.label,
  burst: BURST,
  burst_ms: Math.round(burstMs),
  cgi_statuses: counts,
  static_baseline: summary(baseline.latencies),
  static_during_burst: summary(duringBurst.latencies),
  static_errors: baseline.errors + duringBurst.errors,
}));
