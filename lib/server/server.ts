/**
 * Listening and accepting: single-connection mode serves one connection at
 * a time and closes it after one response; concurrent mode serves every
 * connection at once with keep-alive. Graceful shutdown stops accepting,
 * closes idle connections and lets busy ones finish.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { closeQuietly, listenTcp, listenTcpGroup } from "../common/net.ts";
import { takeUnlessStopping } from "../common/signals.ts";
import type { ServerConfig } from "./core/config.ts";
import { MemoryRelease } from "./core/memory_release.ts";
import { ConnectionTracker } from "./core/connection_tracker.ts";
import { serveConnection, startConnection } from "./core/connection.ts";
import type { ServerContext } from "./core/context.ts";
import { bodyLimitOf, UploadPolicy } from "./upload/policy.ts";
import { createRequestHandler } from "./dispatch.ts";
import { FsWatch } from "./core/fs_watch.ts";
import { logWarning } from "../common/log.ts";
import { loadKeyPair } from "./tls/certificate.ts";
import { listenTlsServer } from "./tls/listen.ts";

/**
 * Listeners sharing the port in concurrent mode: 8 × Deno's backlog of 511
 * queues a burst of 4,000 connections without a dropped SYN.
 */
const ACCEPT_QUEUES = 16;

/** A server that is listening. */
export interface RunningServer {
  /** The address actually bound. */
  addr: Deno.NetAddr;
  /** Resolves when the accept loop has ended. */
  finished: Promise<void>;
  /** Stops accepting and waits up to `graceMs` for busy connections. */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Resolves the document root to its real path.
 *
 * @throws {UsageError} when it does not exist or is not a directory.
 */
export function resolveDocroot(docroot: string): string {
  let real: string;
  try {
    real = Deno.realPathSync(docroot);
  } catch {
    throw new UsageError(`Document root "${docroot}" does not exist`);
  }
  if (!Deno.statSync(real).isDirectory) {
    throw new UsageError(`Document root "${docroot}" is not a directory`);
  }
  return real.length > 1 && real.endsWith("/") ? real.slice(0, -1) : real;
}

/** The TLS listener of `--cert`/`--key` (workers share the port). */
function listenTlsFiles(config: ServerConfig): Deno.TlsListener {
  const files = { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
  const pair = loadKeyPair(files.certFile, files.keyFile);
  return listenTlsServer(
    config.hostname,
    config.port,
    pair,
    files,
    config.workerChild,
  );
}

/**
 * Starts serving `config.docroot` on `config.hostname:config.port`.
 *
 * @throws {UsageError} for a document root that is not a directory, or
 * TLS files that cannot be read or used.
 * @throws {ListenError} when the port cannot be bound.
 */
export function startServer(config: ServerConfig): RunningServer {
  const root = resolveDocroot(config.docroot);
  const single = config.mode === "single";
  // Concurrent mode accepts on a group of listeners, each with its own
  // queue, so that a burst of connections is not cut at Deno's backlog of
  // 511; single mode takes one connection at a time by design.
  const listeners: Deno.Listener[] = config.tlsCertFile !== ""
    ? [listenTlsFiles(config)]
    : single
    ? [listenTcp(config.hostname, config.port, {
      reusePort: config.workerChild,
    })]
    : listenTcpGroup(
      config.hostname,
      config.port,
      ACCEPT_QUEUES,
      config.workerChild,
    );
  const addr = listeners[0]!.addr as Deno.NetAddr;
  const ctx: ServerContext = { config, root, port: addr.port };
  const watch = new FsWatch(root, {
    onModeChange(mode, reason) {
      if (mode !== "interval") return;
      logWarning(
        `No file-system events (${reason}): cached files are checked again every second`,
      );
    },
  });
  const tracker = new ConnectionTracker(
    {
      headerMs: config.headerTimeoutMs,
      idleMs: config.idleTimeoutMs,
      sendMs: Math.max(config.sendTimeoutMs, config.cgiTimeoutMs + 5000),
    },
    undefined,
    new MemoryRelease(),
  );
  const uploads = new UploadPolicy(config.uploadDirs);
  const connOptions = {
    handler: createRequestHandler(ctx, watch, uploads),
    tracker,
    oneRequest: single,
    maxHeadBytes: config.maxHeadBytes,
    maxBodyBytes: config.maxBodyBytes,
    bodyLimit: bodyLimitOf(uploads, config),
    bodyTimeoutMs: config.bodyTimeoutMs,
    accessLog: config.accessLog,
  };
  let stopping = false;

  async function acceptLoop(listener: Deno.Listener): Promise<void> {
    for (;;) {
      const conn = await takeUnlessStopping(
        () => listener.accept(),
        () => stopping,
        "Accept failed",
      );
      if (conn === null) return;
      if (single) await serveConnection(conn, connOptions);
      else startConnection(conn, connOptions);
    }
  }

  const finished = Promise.all(listeners.map(acceptLoop)).then(() => {});
  return {
    addr,
    finished,
    async shutdown(graceMs = 5000) {
      if (!stopping) {
        stopping = true;
        for (const listener of listeners) closeQuietly(listener);
      }
      // Not one after the other: in single mode the accept loop is still
      // inside the connection that the tracker has to close or drain.
      await Promise.all([finished, tracker.shutdown(graceMs)]);
      watch.close();
    },
  };
}
