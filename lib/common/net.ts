/**
 * Network plumbing every program shares: printing addresses, describing
 * socket errors in one line, writing whole buffers, binding a TCP
 * listener with a clear error, and closing without caring whether it
 * already was.
 *
 * @module
 */

/** A host as it is written before `:port`: an IPv6 address in brackets. */
export function bracketHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(hostname: string, port: number): string {
  return `${bracketHost(hostname)}:${port}`;
}

/** `host:port` of a socket address (the path of a Unix socket). */
export function formatAddr(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return formatHostPort(addr.hostname, addr.port);
  }
  return "path" in addr ? addr.path : addr.transport;
}

/**
 * The host part of a `Host` value (no port): `example.com:8080` →
 * `example.com`, `[::1]:80` → `[::1]`.
 */
export function hostWithoutPort(host: string): string {
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close < 0 ? host : host.slice(0, close + 1);
  }
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * A one-line description of an error for a message or a log line: the
 * first line of its message without Deno's `(os error N)` tail, or its
 * name when the message is empty.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const first = err.message.split("\n")[0] ?? "";
  const text = first.replace(/\s*\(os error \d+\)$/, "");
  return text === "" ? err.name : text;
}

/** Anything with `Deno.Conn`'s `write` shape. */
export interface ByteSink {
  /** Writes some of `p`; resolves to the count written. */
  write(p: Uint8Array): Promise<number>;
}

/** Writes every byte of `bytes` to `sink`, looping over partial writes. */
export async function writeAll(
  sink: ByteSink,
  bytes: Uint8Array,
): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    // Most writes take everything: no subarray for the first one.
    off += await sink.write(off === 0 ? bytes : bytes.subarray(off));
  }
}

/**
 * Writes every byte of `bytes` to stdout, synchronously. Returns false
 * when stdout has been closed (`… | head`): output nobody can read is
 * dropped, and a client can take it as its cue to stop.
 */
export function writeStdout(bytes: Uint8Array): boolean {
  let off = 0;
  try {
    while (off < bytes.length) {
      off += Deno.stdout.writeSync(bytes.subarray(off));
    }
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) return false;
    throw err;
  }
  return true;
}

/** Closes a socket or file, ignoring one that is already closed. */
export function closeQuietly(closer: { close(): void }): void {
  try {
    closer.close();
  } catch {
    // Already closed.
  }
}

/**
 * A port could not be bound: taken, not allowed, or the address is not
 * this machine's. Its message is one sentence for the user.
 */
export class ListenError extends Error {
  /** A stable identifier: always `LISTEN_FAILED`. */
  readonly code = "LISTEN_FAILED";

  /** Creates the error with a sentence-case `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ListenError";
  }
}

/**
 * The {@linkcode ListenError} for `err`, raised while binding
 * `hostname`:`port` (TCP or UDP).
 */
export function listenError(
  err: unknown,
  hostname: string,
  port: number,
): ListenError {
  const where = formatHostPort(hostname, port);
  if (err instanceof Deno.errors.AddrInUse) {
    return new ListenError(`Port ${port} on ${hostname} is already in use`, {
      cause: err,
    });
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new ListenError(`Not allowed to listen on ${where}`, { cause: err });
  }
  return new ListenError(`Cannot listen on ${where}: ${describeError(err)}`, {
    cause: err,
  });
}

/** Options of {@linkcode listenTcp}. */
export interface ListenTcpOptions {
  /**
   * Share the port with other processes that set it too (SO_REUSEPORT):
   * how `spidey -w` workers listen on one port.
   */
  reusePort?: boolean;
}

/**
 * Binds a TCP listener on `hostname`:`port` (0 picks a free port).
 *
 * @throws {ListenError} when the port is taken or the address unusable.
 */
export function listenTcp(
  hostname: string,
  port: number,
  options: ListenTcpOptions = {},
): Deno.TcpListener {
  try {
    return Deno.listen({
      hostname,
      port,
      transport: "tcp",
      reusePort: options.reusePort ?? false,
    });
  } catch (err) {
    throw listenError(err, hostname, port);
  }
}

/**
 * Checks that `port` is free (or picks one for 0) by binding it without
 * `reusePort` and letting it go: sockets that set `reusePort` would join a
 * server that already holds the port instead of failing.
 *
 * @throws {ListenError} when the port is taken or the address unusable.
 */
export function probePort(hostname: string, port: number): number {
  const probe = listenTcp(hostname, port);
  const bound = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return bound;
}

/**
 * Binds `count` listeners on one port with `reusePort` (one where that is
 * not Linux), each with its own accept queue: Deno fixes a listener's backlog at 511, and the kernel
 * spreads new connections over the group, so a burst of thousands of
 * connections is queued whole instead of having its SYNs dropped. The port
 * is probed first unless `shared` (it is then already a `-w` worker
 * pool's, joined on purpose).
 *
 * @throws {ListenError} when the port is taken or the address unusable.
 */
export function listenTcpGroup(
  hostname: string,
  port: number,
  count: number,
  shared = false,
): Deno.TcpListener[] {
  // Deno sets SO_REUSEPORT on Linux only: elsewhere a second listener on
  // the port would fail, so there is one.
  if (Deno.build.os !== "linux") {
    return [listenTcp(hostname, port, { reusePort: shared })];
  }
  const bound = shared ? port : probePort(hostname, port);
  const listeners: Deno.TcpListener[] = [];
  try {
    // Port 0 with `shared` picks one for the first; the rest join it.
    listeners.push(listenTcp(hostname, bound, { reusePort: true }));
    const at = (listeners[0]!.addr as Deno.NetAddr).port;
    while (listeners.length < count) {
      listeners.push(listenTcp(hostname, at, { reusePort: true }));
    }
  } catch (err) {
    for (const l of listeners) l.close();
    throw err;
  }
  return listeners;
}
