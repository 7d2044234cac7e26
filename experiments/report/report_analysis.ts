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
  responseBytes,
  saturation,
  SINGLE,
  workloadsOf,
} from "./report_data.ts";
import {
  compareHigher,
  compareLatency,
  compareRuns,
  fmt,
  fmtPercent,
  fmtRatio,
  listWords,
  rangesOverlap,
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

function singleModeCost(data: ReportData, unexplained: string[]): string[] {
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
        compareRuns(single.latMean, conc.latMean, true)
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
      if (
        single.latMean.max < conc.latMean.min
      ) {
        ahead.push(workloadLabel(single));
      }
      parts.push(
        `${workloadLabel(single)} ${fmt(single.latMean.mean)} ms against ${
          fmt(conc.latMean.mean)
        } ms (${compareRuns(single.latMean, conc.latMean, true)}) at ${
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
      unexplained.push(
        `With ${high} clients single-connection mode is measurably faster than concurrent mode on ${
          listWords(ahead)
        } (every run of it beat every run of concurrent mode). The study recorded nothing that explains it; a guess it cannot confirm is that running the requests' child processes one at a time on one CPU wastes less on switching between them than running them side by side.`,
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

function multiProcessGain(data: ReportData, unexplained: string[]): string[] {
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
      }): ${compareRuns(topMulti.rps, topConc.rps, false)}.${
        topMulti.rps.min > topConc.rps.max &&
          topMulti.rps.mean < 1.9 * topConc.rps.mean && shares
          ? " Two workers do not double the rate; one reason is that the second worker only gets what thor leaves of its CPU."
          : ""
      }${
        topMulti.rps.max < topConc.rps.min && shares
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
          compareRuns(multi.latMean, conc.latMean, true).replace(
            /^no /,
            "with no ",
          )
        }`,
      );
      if (multi.latMean.min > conc.latMean.max) {
        unexplained.push(
          `With ${plural(high, "client")}, multi-process mode serves ${
            workloadLabel(multi)
          } ${
            compareLatency(multi.latMean.mean, conc.latMean.mean, 0)
          } than concurrent mode (${fmt(multi.latMean.mean)} against ${
            fmt(conc.latMean.mean)
          } ms, ranges apart), although it has a second CPU. The data does not explain it: server CPU time was not recorded, so whether the worker that shares CPU ${multiRow.client_cpus} with thor, or each worker building its own cached copy of the response, is to blame remains unmeasured.`,
        );
      }
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
        } MB/s against concurrent mode's ${fmt(conc.mbps.mean)} MB/s (${
          compareRuns(multi.mbps, conc.mbps, false)
        }).`,
      );
    }
  }
  return out;
}

/** How much of the CGI surplus the measured process start accounts for. */
function spawnShare(data: ReportData, surplusMs: number): string {
  const plain = data.spawn.find((s) => s.program === "true");
  if (plain === undefined || surplusMs <= 0) return "";
  return ` Starting \`true\` with \`Deno.Command\` took a median ${
    fmt(plain.median_ms)
  } ms on this machine, ${
    fmtPercent(Math.min(plain.median_ms / surplusMs, 1))
  } of the ${
    fmt(surplusMs)
  } ms a CGI request costs over a static one; the rest is the shell starting and running the script and the CGI plumbing.`;
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
      } in concurrent mode).${
        spawnShare(data, cgi.latMean.mean - stat.latMean.mean)
      }`,
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

function fileSizes(data: ReportData, unexplained: string[]): string[] {
  const out: string[] = [];
  for (const w of workloadsOf(data.summaries, "throughput")) {
    const points = ofPart(data.summaries, "throughput").filter((s) =>
      s.workload === w
    ).sort((a, b) => b.mbps.mean - a.mbps.mean);
    if (points.length < 2) continue;
    const label = workloadLabel(points[0]!);
    // Every pair of modes whose runs' ranges do not overlap.
    const apart: string[] = [];
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const a = points[i]!;
        const b = points[j]!;
        if (rangesOverlap(a.mbps, b.mbps)) continue;
        apart.push(
          `${configLabel(a)} moves ${
            compareHigher(a.mbps.mean, b.mbps.mean, 0)
          } as ${configLabel(b)}`.replace(" as much as", " as much as"),
        );
      }
    }
    const ranges = points.map((p) =>
      `${configLabel(p)} ${fmt(p.mbps.min)}–${fmt(p.mbps.max)}`
    );
    out.push(
      apart.length === 0
        ? `For ${label} the modes show no measurable difference: their runs' ranges overlap (MB/s: ${
          listWords(ranges)
        }).`
        : `For ${label}, ${
          listWords(apart)
        }; every other pair of modes overlaps (MB/s: ${listWords(ranges)}).`,
    );
    const single = points.find((p) => p.config === SINGLE);
    const conc = points.find((p) => p.config === CONCURRENT);
    if (
      single !== undefined && conc !== undefined &&
      single.mbps.min > conc.mbps.max
    ) {
      unexplained.push(
        `On ${label} single-connection mode moves more bytes per second than concurrent mode (${
          fmt(single.mbps.mean)
        } against ${
          fmt(conc.mbps.mean)
        } MB/s, ranges apart) on the same CPU; nothing the study records explains it.`,
      );
    }
  }
  return out;
}

/** Where spidey stands against each peer, workload by workload. */
function peerComparison(data: ReportData): string[] {
  const out: string[] = [];
  const workloads = workloadsOf(data.summaries, "peers");
  for (const pair of PEER_PAIRS) {
    const ratios = workloads.map((w) =>
      peerRatio(data.summaries, "peers", pair, w)
    ).filter((r) => r !== undefined && r.spidey.kind !== "listing");
    if (ratios.length === 0) continue;
    const behind = ratios.filter((r) => r!.high < 1);
    const ahead = ratios.filter((r) => r!.low > 1);
    const even = ratios.filter((r) => r!.high >= 1 && r!.low <= 1);
    const names = (list: typeof ratios) =>
      listWords(list.map((r) => workloadLabel(r!.spidey)));
    const clauses = [
      behind.length > 0 ? `measurably behind on ${names(behind)}` : "",
      ahead.length > 0 ? `measurably ahead on ${names(ahead)}` : "",
      even.length > 0
        ? `level (no measurable difference) on ${names(even)}`
        : "",
    ].filter((c) => c !== "");
    const first = ratios[0]!;
    out.push(
      `Given the same CPUs as ${configLabel(first.peer)}, ${
        configLabel(first.spidey)
      } is ${listWords(clauses)}.`,
    );
  }
  const listing = workloads.find((w) =>
    ofPart(data.summaries, "peers").some((s) =>
      s.workload === w && s.kind === "listing"
    )
  );
  if (listing !== undefined) {
    const rows = partRows(data, "peers");
    const configs = [...new Set(rows.map((r) => r.config))];
    const sizes = configs.map((c) => {
      const p = point(data, "peers", c, listing);
      return p === undefined
        ? ""
        : `${configLabel(p)} ${
          fmt(responseBytes(rows.filter((r) => r.config === c), listing))
        }`;
    }).filter((t) => t !== "");
    const byBytes = PEER_PAIRS.flatMap((pair) => {
      const r = peerRatio(data.summaries, "peers", pair, listing);
      if (r === undefined || r.peer.mbps.mean <= 0) return [];
      const overlap = rangesOverlap(r.spidey.mbps, r.peer.mbps);
      return [
        `${fmtRatio(r.spidey.mbps.mean / r.peer.mbps.mean)} the rate of ${
          configLabel(r.peer)
        }${overlap ? " (ranges overlap)" : ""}`,
      ];
    });
    out.push(
      `Directory listings are not like for like, so they are left out above: each server writes its own page (bytes per response: ${
        listWords(sizes)
      }), and spidey serves its page from a listing cache refreshed about once a second, while nginx's autoindex and lighttpd's mod_dirlisting (its cache is not enabled in the study's configuration) build theirs on every request.${
        byBytes.length > 0
          ? ` Counted in bytes per second, which corrects for the page sizes but not for the cache, spidey's listings reach ${
            listWords(byBytes)
          }.`
          : ""
      }`,
    );
  }
  return out;
}

const NOT_MEASURED =
  "The study records no server CPU time, so CPU time per request is neither charted nor used to explain a result; the latency percentiles stop at p99 and the slowest response (no p99.9).";

const MODELS = `| model | advantages | disadvantages |
| --- | --- | --- |
| single-connection | simplest code; no state shared between clients; one request at a time is easy to reason about | no keep-alive, so a new connection per request; one slow client, large file or CGI script holds up everyone else |
| concurrent (\`-f\`) | keep-alive and pipelining; many connections on one event loop at little cost each; caches shared by all connections | one CPU at most; anything that blocks the event loop stalls every client; one crash ends every connection |
| multi-process (\`-w N\`) | several CPUs; the kernel spreads connections over the workers (reusePort); a worker that dies is restarted while the others serve | memory and caches per worker; a connection stays on one worker, so few connections use few workers; workers compete with anything else on the machine |`;

/** The Analysis section. */
export function analysisSection(data: ReportData): string {
  const unexplained: string[] = [];
  const blocks: [string, string[]][] = [
    ["What single-connection mode costs", singleModeCost(data, unexplained)],
    ["Concurrent mode", concurrentMode(data)],
    [
      "What multi-process mode gains on this machine",
      multiProcessGain(data, unexplained),
    ],
    ["Request types", requestTypes(data)],
    ["File sizes", fileSizes(data, unexplained)],
    ["Against nginx and lighttpd, like for like", peerComparison(data)],
    [
      "Results the data does not explain",
      unexplained.map((u) => `- ${u}\n`),
    ],
    ["What was not measured", [NOT_MEASURED]],
  ];
  let text = "## Analysis\n\n";
  for (const [title, lines] of blocks) {
    if (lines.length === 0) continue;
    const body = lines[0]!.startsWith("- ") ? lines.join("") : lines.join(" ");
    text += `### ${title}\n\n${body.trimEnd()}\n\n`;
  }
  text +=
    `### Advantages and disadvantages of each model\n\nFrom spidey's design, with the measured costs above:\n\n${MODELS}\n`;
  return text;
}
