/**
 * spidey's program: read the command line, then serve in this process or
 * through a pool of workers, until SIGINT or SIGTERM.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { flushLogs, logInfo, logWarning, setupLogging } from "../common/log.ts";
import { formatHostPort, ListenError } from "../common/net.ts";
import { onStopSignal } from "../common/signals.ts";
import { accessWarning, loadAccessControl } from "./access/access.ts";
import { AccessConfigError } from "./access/errors.ts";
import { parseServerArgs, SPIDEY_HELP } from "./cli.ts";
import { resolveDocroot, startServer } from "./server.ts";
import { prepareTls, startHttpsRedirect } from "./tls/setup.ts";
import { startWorkerPool, WorkerLink } from "./workers.ts";

/** Runs spidey with `args`; resolves to the exit status. */
export async function runSpidey(args: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseServerArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`spidey: ${err.message}. Try 'spidey -h' for help.`);
      return 2;
    }
    throw err;
  }
  if (command.kind === "help") {
    console.log(SPIDEY_HELP);
    return 0;
  }
  let config = command.config;
  await setupLogging({ app: "spidey", verbose: config.verbose });
  try {
    // A worker's real config comes from its parent, on stdin.
    const worker = config.workerChild ? await WorkerLink.open() : null;
    if (worker !== null) {
      config = worker.config;
      await setupLogging({ app: "spidey", verbose: config.verbose });
    } else {
      config = await prepareTls(config);
      // The password file is read here first, so a bad one stops a -w
      // parent before any worker starts.
      loadAccessControl(config);
      const warning = accessWarning(config);
      if (warning !== null) logWarning(warning);
    }
    if (config.workers > 0 && !config.workerChild) {
      resolveDocroot(config.docroot);
      const pool = await startWorkerPool(config);
      logInfo(
        `Listening on ${
          formatHostPort(config.hostname, pool.port)
        } with ${config.workers} workers (${pool.pids().join(", ")})...`,
      );
      const redirect = startHttpsRedirect(config, pool.port);
      onStopSignal(() => {
        redirect?.close();
        return pool.shutdown();
      });
      // Workers that all kept crashing are a failure, not a clean stop.
      if (await pool.finished === "gave-up") return 1;
      logInfo("Stopped");
      return 0;
    }
    const server = startServer(config);
    const where = formatHostPort(config.hostname, server.addr.port);
    if (worker !== null) worker.sayReady();
    else logInfo(`Listening on ${where}...`);
    const redirect = worker === null
      ? startHttpsRedirect(config, server.addr.port)
      : null;
    let stopped: Promise<void> = server.finished;
    const stop = () => {
      redirect?.close();
      stopped = server.shutdown();
      return stopped;
    };
    onStopSignal(stop);
    worker?.whenParentGone(stop);
    await server.finished;
    await stopped;
    if (worker === null) logInfo("Stopped");
    return 0;
  } catch (err) {
    if (
      err instanceof UsageError || err instanceof ListenError ||
      err instanceof AccessConfigError
    ) {
      console.error(`spidey: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    flushLogs();
  }
}
