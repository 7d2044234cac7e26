/**
 * The Analysis section of the report: sentences templated on the
 * data. Each sentence is written only when the points it needs were
 * measured, every number in it is computed from the CSV, and a
 * comparison picks its words (`faster`, `about the same`, `slower`) from
 * the measured ratio, so no sentence claims more than the data shows.
 *
 * @module
 */

import { ofPart, type PointSummary } from "../data/aggregate.ts";
import { PEER_PAIRS, peerRatio } from "./comparisons.ts";
import { configLabel, workloadLabel } from "./labels.ts";
import {
  CONCURRENT,
  latencyLevels,
  MULTI,
  partRows,
  peak,
  plural,
  point,
  type ReportData,
  saturation,
  SINGLE,
  workloadsOf,
} from "./report_data.ts";
import {
  capitalize,
  compareHigher,
  compareLatency,
  fmt,
  fmtRatio,
  listWords,
} from "./report_format.ts";

/** Connections thor opened per response it received, over a point's runs. */
function connectionsPerResponse(data: ReportData, s: PointSummary): number {
  const rows = data.rows.filter((r) =>
    r.part === s.part && r.config === s.config && r.workload === s.workload &&
    r.concurrency === s.concurrency
  );
  const completed = rows.reduce((a, r) => a + r.completed, 0);
  return completed === 0
    ? 0
    : rows.reduce((a, r) => a + r.connections_opened, 0) / completed;
}

function singleModeCost(data: ReportData): string[] {
  const out: string[] = [];
  const levels = latencyLevels(data);
  const low = levels[0];
  const high = levels.at(-1);
  if (low !== undefined) {
    const single = point(data, "latency", SINGLE, "small", low);
    const conc = point(data, "latency", CONCURRENT, "small", low);
    if (single !== undefined && conc !== undefined) {
      const perSingle = connectionsPerResponse(data, single);
      const perConc = connectionsPerResponse(data, conc);
      let sentence = `With ${
        plural(low, "client connection")
      }, a static ${single.sizeLabel} request takes ${
        fmt(single.latMean.mean)
      } ms in single-connection mode and ${
        fmt(conc.latMean.mean)
      } ms in concurrent mode (${
        compareLatency(single.latMean.mean, conc.latMean.mean)
      }).`;
      if (perSingle >= 0.9 && perConc < 0.5) {
        sentence +=
          ` Single-connection mode closes the connection after every response: the connections thor opened per response received were ${
            fmt(perSingle)
          } against it and ${
            fmt(perConc)
          } against concurrent mode, so every request there also pays for a TCP handshake and an accept.`;
      }
      out.push(sentence);
    }
  }
  if (high !== undefined && high !== low) {
    const parts: string[] = [];
    const ahead: string[] = [];
    for (const w of workloadsOf(data.summaries, "latency")) {
      const single = point(data, "latency", SINGLE, w, high);
      const conc = point(data, "latency", CONCURRENT, w, high);
      if (single === undefined || conc === undefined) continue;
      if (single.latMean.mean < 0.9 * conc.latMean.mean) {
        ahead.push(workloadLabel(single));
      }
      parts.push(
        `${workloadLabel(single)} ${fmt(single.latMean.mean)} ms against ${
          fmt(conc.latMean.mean)
        } ms (${compareLatency(single.latMean.mean, conc.latMean.mean)}) at ${
          fmt(single.rps.mean)
        } against ${fmt(conc.rps.mean)} req/s`,
      );
    }
    if (parts.length > 0) {
      out.push(
        `With ${high} clients, single-connection mode still serves one connection at a time, so the others wait in the listen queue. Mean latency, single-connection against concurrent: ${
          listWords(parts)
        }.`,
      );
    }
    if (ahead.length > 0) {
      out.push(
        `Single-connection mode comes out ahead on ${
          listWords(ahead)
        }: there, serving the requests one after another took less time per request than serving them side by side on the same CPU.`,
      );
    }
  }
  const sweep = ofPart(data.summaries, "concurrency").filter((s) =>
    s.config === SINGLE
  ).sort((a, b) => a.concurrency - b.concurrency);
  const first = sweep[0];
  const last = sweep.at(-1);
  if (
    first !== undefined && last !== undefined &&
    last.concurrency > first.concurrency
  ) {
    const queueing = last.rps.mean < 1.25 * first.rps.mean &&
      last.p99.mean > 2 * first.p99.mean;
    out.push(
      `In the sweep its rate goes from ${
        fmt(first.rps.mean)
      } req/s at ${first.concurrency} to ${
        fmt(last.rps.mean)
      } req/s at ${last.concurrency} connections (${
        compareHigher(last.rps.mean, first.rps.mean)
      }), while its p99 goes from ${fmt(first.p99.mean)} ms to ${
        fmt(last.p99.mean)
      } ms (${fmtRatio(last.p99.mean / first.p99.mean)})${
        queueing ? ": more clients add waiting, not throughput" : ""
      }.`,
    );
  }
  return out;
}

function concurrentMode(data: ReportData): string[] {
  const out: string[] = [];
  const top = peak(data, CONCURRENT);
  const sat = saturation(data, CONCURRENT);
  if (top === undefined || sat === undefined) return out;
  const rows = partRows(data, "concurrency").filter((r) =>
    r.config === CONCURRENT
  );
  const last = ofPart(data.summaries, "concurrency").filter((s) =>
    s.config === CONCURRENT
  )
    .sort((a, b) => b.concurrency - a.concurrency)[0]!;
  let sentence =
    `Concurrent mode runs every connection on one event loop in one process (CPU ${
      rows[0]!.server_cpus
    }). It reaches its highest rate, ${fmt(top.rps.mean)} req/s, at ${
      plural(top.concurrency, "connection")
    } and is within 90% of it from ${
      plural(sat.concurrency, "connection")
    } on.`;
  if (last.concurrency > sat.concurrency) {
    const queueing = last.p99.mean > 1.5 * sat.p99.mean &&
      last.rps.mean < 1.15 * sat.rps.mean;
    sentence += ` ${
      queueing
        ? "Past that point more connections mostly add queueing: p"
        : "From there to the most connections, p"
    }99 is ${fmt(sat.p99.mean)} ms at ${sat.concurrency} and ${
      fmt(last.p99.mean)
    } ms at ${last.concurrency} connections.`;
  }
  out.push(sentence);
  return out;
}

function multiProcessGain(data: ReportData): string[] {
  const out: string[] = [];
  const multiRow = data.rows.find((r) => r.config === MULTI);
  if (multiRow === undefined) return out;
  const serverCpus = multiRow.server_cpus.split(",");
  const shares = serverCpus.includes(multiRow.client_cpus);
  out.push(
    `This machine has ${multiRow.cores} CPUs. Multi-process mode (${multiRow.server_args}) runs its workers on CPUs ${multiRow.server_cpus} and thor runs on CPU ${multiRow.client_cpus}${
      shares ? ", so one worker shares its CPU with the load generator" : ""
    }.`,
  );
  const topMulti = peak(data, MULTI);
  const topConc = peak(data, CONCURRENT);
  if (topMulti !== undefined && topConc !== undefined) {
    out.push(
      `At its best it serves ${fmt(topMulti.rps.mean)} req/s (${
        plural(topMulti.concurrency, "connection")
      }) against ${fmt(topConc.rps.mean)} for concurrent mode (${
        plural(topConc.concurrency, "connection")
      }): ${compareHigher(topMulti.rps.mean, topConc.rps.mean)}.${
        topMulti.rps.mean > 1.1 * topConc.rps.mean &&
          topMulti.rps.mean < 1.9 * topConc.rps.mean && shares
          ? " Two workers do not double the rate; one reason is that the second worker only gets what thor leaves of its CPU."
          : ""
      }${
        topMulti.rps.mean < 0.9 * topConc.rps.mean && shares
          ? " Here the second worker costs more than it brings: it competes with thor for the same CPU."
          : ""
      }`,
    );
  }
  const high = latencyLevels(data).at(-1);
  if (high !== undefined) {
    const parts: string[] = [];
    for (const w of workloadsOf(data.summaries, "latency")) {
      const multi = point(data, "latency", MULTI, w, high);
      const conc = point(data, "latency", CONCURRENT, w, high);
      if (multi === undefined || conc === undefined) continue;
      parts.push(
        `${workloadLabel(multi)} ${
          compareLatency(multi.latMean.mean, conc.latMean.mean)
        }`,
      );
    }
    if (parts.length > 0) {
      out.push(
        `With ${
          plural(high, "client")
        }, against concurrent mode, multi-process mode answers ${
          listWords(parts)
        }.`,
      );
    }
  }
  const sizes = workloadsOf(data.summaries, "throughput");
  const largest = sizes.at(-1);
  if (largest !== undefined) {
    const multi = point(data, "throughput", MULTI, largest);
    const conc = point(data, "throughput", CONCURRENT, largest);
    if (multi !== undefined && conc !== undefined) {
      out.push(
        `For the ${multi.sizeLabel} file it moves ${
          fmt(multi.mbps.mean)
        } MB/s against ${fmt(conc.mbps.mean)} MB/s (${
          compareHigher(multi.mbps.mean, conc.mbps.mean)
        }).`,
      );
    }
  }
  return out;
}

function requestTypes(data: ReportData): string[] {
  const out: string[] = [];
  const low = latencyLevels(data)[0];
  if (low === undefined) return out;
  const stat = point(data, "latency", CONCURRENT, "small", low);
  const cgi = point(data, "latency", CONCURRENT, "cgi", low);
  const listing = point(data, "latency", CONCURRENT, "listing", low);
  if (stat !== undefined && cgi !== undefined) {
    out.push(
      `In concurrent mode with ${plural(low, "client")}, a CGI request takes ${
        fmt(cgi.latMean.mean)
      } ms against ${
        fmt(stat.latMean.mean)
      } ms for a static ${stat.sizeLabel} file (${
        fmtRatio(cgi.latMean.mean / stat.latMean.mean)
      } the time): spidey starts a new process for every CGI request (here a /bin/sh script), and those processes inherit the server's CPUs (${
        partRows(data, "latency").find((r) => r.config === CONCURRENT)!
          .server_cpus
      } in concurrent mode).`,
    );
  }
  if (stat !== undefined && listing !== undefined) {
    out.push(
      `A directory listing takes ${fmt(listing.latMean.mean)} ms (${
        fmtRatio(listing.latMean.mean / stat.latMean.mean)
      } the time of the static file).`,
    );
  }
  return out;
}

function fileSizes(data: ReportData): string[] {
  const out: string[] = [];
  for (const w of workloadsOf(data.summaries, "throughput")) {
    const points = ofPart(data.summaries, "throughput").filter((s) =>
      s.workload === w
    );
    if (points.length < 2) continue;
    const sorted = [...points].sort((a, b) => b.mbps.mean - a.mbps.mean);
    const best = sorted[0]!;
    const worst = sorted.at(-1)!;
    const spread = best.mbps.mean / worst.mbps.mean;
    out.push(
      `${capitalize(workloadLabel(best))}: ${configLabel(best)} is fastest at ${
        fmt(best.mbps.mean)
      } MB/s (${fmt(best.rps.mean)} req/s), ${configLabel(worst)} slowest at ${
        fmt(worst.mbps.mean)
      } MB/s, a ${fmtRatio(spread)} spread${
        spread <= 1.25
          ? ": the modes are within 25% of each other, so at this size moving the bytes costs more than handling the connections"
          : ": the mode makes a difference at this size"
      }.`,
    );
  }
  return out;
}

/** One line per peer pair: the range of spidey's ratios over the workloads. */
export function peerLines(data: ReportData): string[] {
  const out: string[] = [];
  for (const pair of PEER_PAIRS) {
    const ratios = workloadsOf(data.summaries, "peers").map((w) =>
      peerRatio(data.summaries, "peers", pair, w)
    )
      .filter((r) => r !== undefined);
    if (ratios.length === 0) continue;
    const sorted = [...ratios].sort((a, b) => a.ratio - b.ratio);
    const worst = sorted[0]!;
    const best = sorted.at(-1)!;
    const range = fmtRatio(worst.ratio) === fmtRatio(best.ratio)
      ? `${fmtRatio(best.ratio)} (${
        listWords(sorted.map((r) => workloadLabel(r.spidey)))
      })`
      : `between ${fmtRatio(worst.ratio)} (${
        workloadLabel(worst.spidey)
      }) and ${fmtRatio(best.ratio)} (${workloadLabel(best.spidey)})`;
    out.push(
      `Against ${configLabel(worst.peer)}, ${
        configLabel(worst.spidey)
      } reaches ${range} of the peer's req/s.`,
    );
  }
  return out;
}

const MODELS = `| model | advantages | disadvantages |
| --- | --- | --- |
| single-connection | simplest code; no state shared between clients; one request at a time is easy to reason about | no keep-alive, so a new connection per request; one slow client, large file or CGI script holds up everyone else |
| concurrent (\`-f\`) | keep-alive and pipelining; many connections on one event loop at little cost each; caches shared by all connections | one CPU at most; anything that blocks the event loop stalls every client; one crash ends every connection |
| multi-process (\`-w N\`) | several CPUs; the kernel spreads connections over the workers (reusePort); a worker that dies is restarted while the others serve | memory and caches per worker; a connection stays on one worker, so few connections use few workers; workers compete with anything else on the machine |`;

/** The Analysis section. */
export function analysisSection(data: ReportData): string {
  const blocks: [string, string[]][] = [
    ["What single-connection mode costs", singleModeCost(data)],
    ["Concurrent mode", concurrentMode(data)],
    ["What multi-process mode gains on this machine", multiProcessGain(data)],
    ["Request types", requestTypes(data)],
    ["File sizes", fileSizes(data)],
    ["Against nginx and lighttpd", peerLines(data)],
  ];
  let text = "## Analysis\n\n";
  for (const [title, lines] of blocks) {
    if (lines.length === 0) continue;
    text += `### ${title}\n\n${lines.join(" ")}\n\n`;
  }
  text +=
    `### Advantages and disadvantages of each model\n\nFrom spidey's design, with the measured costs above:\n\n${MODELS}\n`;
  return text;
}
