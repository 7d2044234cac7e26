/**
 * spidey's JavaScript per request on a cached hit, without the kernel: its
 * connection and handler answer keep-alive requests for a 1 KiB file read
 * from an in-memory connection, against the canned loop of
 * `canned_loop.ts` on the same connection (the floor). What is left is
 * spidey's own work per request: finding and parsing the head,
 * dispatch, the cache lookups and the write of the prepared bytes.
 *
 * Two of spidey's cases: every request the same head (wrk, a poller), and
 * two heads in turn (each parsed in full).
 *
 * @module
 */

import {
  DEFAULT_CONFIG,
  type ServerConfig,
} from "../lib/server/core/config.ts";
import { ConnectionTracker } from "../lib/server/core/connection_tracker.ts";
import {
  type ConnectionOptions,
  serveConnection,
} from "../lib/server/core/connection.ts";
import { FsWatch } from "../lib/server/core/fs_watch.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import { RequestBody } from "../lib/server/core/request_body.ts";
import { createRequestHandler } from "../lib/server/dispatch.ts";
import { resolveDocroot } from "../lib/server/server.ts";
import { bodyLimitOf, UploadPolicy } from "../lib/server/upload/policy.ts";
import { answerCanned } from "./canned_answer.ts";

/** Requests per benchmark iteration, on one connection. */
const REQUESTS = 1000;

const encoder = new TextEncoder();
const request = (path: string) =>
  encoder.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:9234\r\n\r\n`);
const SAME = [request("/1k.txt")];
const TWO = [request("/1k.txt"), request("/1k.txt?v=2")];

/**
 * A connection whose reads return the next request at once and whose
 * writes take everything, until `count` requests were read.
 */
class MemoryConn {
  readonly remoteAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };
  readonly localAddr = { transport: "tcp", hostname: "127.0.0.1", port: 9234 };
  written = 0;
  #left: number;
  #requests: Uint8Array[];

  constructor(requests: Uint8Array[], count: number) {
    this.#requests = requests;
    this.#left = count;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#left === 0) return Promise.resolve(null);
    const bytes = this.#requests[this.#left-- % this.#requests.length]!;
    p.set(bytes);
    return Promise.resolve(bytes.length);
  }

  write(p: Uint8Array): Promise<number> {
    this.written += p.length;
    return Promise.resolve(p.length);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {}
}

const dir = Deno.makeTempDirSync({ prefix: "request-path-bench-" });
Deno.writeTextFileSync(`${dir}/1k.txt`, "x".repeat(1023) + "\n");
// A file changed in the last seconds is not cached whole: make it older.
const anHourAgo = new Date(Date.now() - 3_600_000);
Deno.utimeSync(`${dir}/1k.txt`, anHourAgo, anHourAgo);
globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});

const config: ServerConfig = {
  ...DEFAULT_CONFIG,
  docroot: dir,
  mode: "concurrent",
  accessLog: false,
};
const root = resolveDocroot(dir);
const watch = new FsWatch(root, {});
const tracker = new ConnectionTracker({
  headerMs: 60_000,
  idleMs: 60_000,
  sendMs: 60_000,
});
const uploads = new UploadPolicy([]);
const options: ConnectionOptions = {
  handler: createRequestHandler({ config, root, port: 9234 }, watch, uploads),
  tracker,
  oneRequest: false,
  maxHeadBytes: config.maxHeadBytes,
  maxBodyBytes: config.maxBodyBytes,
  bodyLimit: bodyLimitOf(uploads, config),
  accessLog: false,
};

/** Serves `count` of `requests` on one connection; the bytes written. */
async function spidey(requests: Uint8Array[], count: number): Promise<number> {
  const conn = new MemoryConn(requests, count);
  await serveConnection(conn as unknown as Deno.Conn, options);
  return conn.written;
}

const probe: HttpRequest = {
  method: "GET",
  target: "/1k.txt",
  version: "HTTP/1.1",
  headers: new Map([["host", "127.0.0.1:9234"]]),
  path: "/1k.txt",
  rawPath: "/1k.txt",
  query: "",
  host: "127.0.0.1:9234",
  remoteAddr: "127.0.0.1",
  remotePort: 1,
  localPort: 9234,
  body: RequestBody.none(),
  progress: () => {},
  peer: "127.0.0.1:1",
};
// The watch trusts a path once its events have had time to arrive (the
// event loop must turn), and the next answer is cached: serve until the
// handler has it ready, or this would time misses.
for (let waited = 0; options.handler.ready?.(probe) == null; waited += 100) {
  if (waited > 10_000) {
    throw new Error("The file was not cached: the bench would time misses");
  }
  await spidey(SAME, 1);
  await new Promise((resolve) => setTimeout(resolve, 100));
}

// The canned loop's answer, about as long as spidey's (1,312 bytes).
const response = new Uint8Array(1300);

Deno.bench(`canned loop, ${REQUESTS} requests`, {
  group: "request path",
  baseline: true,
}, async () => {
  await answerCanned(new MemoryConn(SAME, REQUESTS), response);
});

Deno.bench(`spidey, ${REQUESTS} requests, one head`, {
  group: "request path",
}, async () => {
  await spidey(SAME, REQUESTS);
});

Deno.bench(`spidey, ${REQUESTS} requests, two heads in turn`, {
  group: "request path",
}, async () => {
  await spidey(TWO, REQUESTS);
});
