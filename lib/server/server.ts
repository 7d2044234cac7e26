/**
 * Listening and accepting: single-connection mode serves one connection at
 * a time and closes it after one response; concurrent mode serves every
 * connection at once with keep-alive. Graceful shutdown stops accepting,
 * closes idle connections and lets busy ones finish.
 *
 * @module
 */

import { logError } from "../common/log.ts";
import type { ServerConfig } from "./core/config.ts";
import { UsageError } from "./cli.ts";
import { ConnectionTracker } from "./core/connection_tracker.ts";
import { errorText, serveConnection } from "./core/connection.ts";
import type { ServerContext } from "./core/context.ts";
import { createRequestHandler } from "./dispatch.ts";

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

/**
 * Binds the listening socket.
 *
 * @throws {UsageError} when the port is taken or the address is unusable.
 */
export function listenTcp(
  hostname: string,
  port: number,
  reusePort: boolean,
): Deno.TcpListener {
  try {
    return Deno.listen({ hostname, port, reusePort });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new UsageError(`Port ${port} on ${hostname} is already in use`);
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new UsageError(`Not allowed to listen on ${hostname}:${port}`);
    }
    throw new UsageError(
      `Cannot listen on ${hostname}:${port}: ${errorText(err)}`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts serving `config.docroot` on `config.hostname:config.port`. */
export function startServer(config: ServerConfig): RunningServer {
  const root = resolveDocroot(config.docroot);
  const listener = listenTcp(config.hostname, config.port, config.workerChild);
  const addr = listener.addr as Deno.NetAddr;
  const ctx: ServerContext = { config, root, port: addr.port };
  const tracker = new ConnectionTracker({
    headerMs: config.headerTimeoutMs,
    idleMs: config.idleTimeoutMs,
    sendMs: Math.max(config.sendTimeoutMs, config.cgiTimeoutMs + 5000),
  });
  const single = config.mode === "single";
  const connOptions = {
    handler: createRequestHandler(ctx),
    tracker,
    oneRequest: single,
    maxHeadBytes: config.maxHeadBytes,
    maxBodyBytes: config.maxBodyBytes,
    accessLog: config.accessLog,
  };
  let stopping = false;

  async function acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (stopping || err instanceof Deno.errors.BadResource) return;
        // EMFILE and friends: back off instead of spinning.
        logError(`Accept failed: ${errorText(err)}`);
        await sleep(50);
        continue;
      }
      if (single) await serveConnection(conn, connOptions);
      else serveConnection(conn, connOptions);
    }
  }

  const finished = acceptLoop();
  return {
    addr,
    finished,
    async shutdown(graceMs = 5000) {
      if (!stopping) {
        stopping = true;
        try {
          listener.close();
        } catch {
          // Already closed.
        }
      }
      // Not one after the other: in single mode the accept loop is still
      // inside the connection that the tracker has to close or drain.
      await Promise.all([finished, tracker.shutdown(graceMs)]);
    },
  };
}
