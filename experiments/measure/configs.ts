/**
 * The server configurations of the study: spidey in its three modes and
 * the peers nginx (one and two workers) and lighttpd, each with the CPUs
 * it is pinned to, and the CPU of the load generator.
 *
 * @module
 */

/** The server configurations the study can start. */
export type ConfigName =
  | "spidey-single"
  | "spidey-concurrent"
  | "spidey-multi"
  | "nginx"
  | "nginx-2w"
  | "lighttpd";

/** How one server configuration is started. */
export interface ServerConfig {
  /** Its name in the CSV and charts. */
  name: ConfigName;
  /** The program. */
  server: "spidey" | "nginx" | "lighttpd";
  /** How it handles connections. */
  mode: string;
  /** The flags that select the mode (spidey) or the worker count (nginx). */
  args: string[];
  /** Worker processes (nginx), 0 when not applicable. */
  workers: number;
  /** taskset CPU list; one CPU for single-process servers. */
  cpus: string;
}

/** CPU the load generator is pinned to. */
export const CLIENT_CPUS = "1";

/** Every configuration, by name. */
export const CONFIGS: Readonly<Record<ConfigName, ServerConfig>> = {
  "spidey-single": {
    name: "spidey-single",
    server: "spidey",
    mode: "single-connection",
    args: [],
    workers: 0,
    cpus: "0",
  },
  "spidey-concurrent": {
    name: "spidey-concurrent",
    server: "spidey",
    mode: "concurrent",
    args: ["-f"],
    workers: 0,
    cpus: "0",
  },
  "spidey-multi": {
    name: "spidey-multi",
    server: "spidey",
    mode: "multi-process",
    args: ["-w", "2"],
    workers: 2,
    cpus: "0,1",
  },
  "nginx": {
    name: "nginx",
    server: "nginx",
    mode: "1 worker",
    args: ["worker_processes 1"],
    workers: 1,
    cpus: "0",
  },
  "nginx-2w": {
    name: "nginx-2w",
    server: "nginx",
    mode: "2 workers",
    args: ["worker_processes 2"],
    workers: 2,
    cpus: "0,1",
  },
  "lighttpd": {
    name: "lighttpd",
    server: "lighttpd",
    mode: "event loop",
    args: [],
    workers: 0,
    cpus: "0",
  },
};
