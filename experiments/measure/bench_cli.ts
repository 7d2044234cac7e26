/**
 * The study's peer configurations and CPU pinning for the shell scripts
 * in `bench/`, so that they and the study share one writer and one
 * pinning rule instead of keeping copies in bash.
 *
 * Usage: deno run -A experiments/measure/bench_cli.ts COMMAND [options]
 *   nginx --state-dir DIR --port N (--docroot DIR [--workers N] | --reply TEXT)
 *       writes DIR/nginx.conf serving DIR's files, or answering every
 *       request with 200 and TEXT plus a line end; prints its path
 *   lighttpd --state-dir DIR --port N --docroot DIR
 *       writes DIR/lighttpd.conf and prints its path
 *   can-pin
 *       prints `yes` when processes can be pinned to CPUs here, else `no`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runCli, StudyError } from "../data/errors.ts";
import { canPin } from "./cpu_pinning.ts";
import {
  lighttpdConfig,
  nginxConfig,
  nginxReplyConfig,
  type PeerPlace,
} from "./peer_configs.ts";

function usage(message: string): StudyError {
  return new StudyError("USAGE", message);
}

function positiveInteger(text: string | undefined, option: string): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw usage(`${option} needs a positive whole number`);
  }
  return value;
}

/** Writes `name` into the state folder (made if needed) and prints its path. */
function writeConfig(place: PeerPlace, name: string, text: string): void {
  Deno.mkdirSync(place.stateDir, { recursive: true });
  const path = `${place.stateDir}/${name}`;
  Deno.writeTextFileSync(path, text);
  console.log(path);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      "state-dir": { type: "string" },
      port: { type: "string" },
      docroot: { type: "string" },
      workers: { type: "string", default: "1" },
      reply: { type: "string" },
    },
  });
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw usage(`Unexpected argument ${extra[0]}`);
  if (command === "can-pin") {
    console.log(await canPin() ? "yes" : "no");
    return;
  }
  if (command !== "nginx" && command !== "lighttpd") {
    throw usage("Missing command nginx, lighttpd or can-pin");
  }
  const stateDir = values["state-dir"];
  if (stateDir === undefined) throw usage("Missing --state-dir DIR");
  const place = { port: positiveInteger(values.port, "--port"), stateDir };
  const docroot = values.docroot;
  if (command === "nginx" && values.reply !== undefined) {
    let text: string;
    try {
      text = nginxReplyConfig(place, `${values.reply}\n`);
    } catch (err) {
      if (err instanceof RangeError) throw usage(err.message);
      throw err;
    }
    writeConfig(place, "nginx.conf", text);
    return;
  }
  if (docroot === undefined) throw usage("Missing --docroot DIR");
  if (command === "nginx") {
    const workers = positiveInteger(values.workers, "--workers");
    writeConfig(
      place,
      "nginx.conf",
      nginxConfig({ ...place, docroot }, workers),
    );
  } else {
    writeConfig(place, "lighttpd.conf", lighttpdConfig({ ...place, docroot }));
  }
}

if (import.meta.main) await runCli("bench_cli", main);
