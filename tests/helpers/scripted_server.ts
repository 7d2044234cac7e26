/**
 * A tiny raw-TCP server for client tests: every accepted connection is
 * handed to a script that reads requests and writes whatever bytes it
 * likes — correct responses, truncated ones, garbage, resets, silence. Its
 * request parsing is its own (not lib/), so a bug in the shared codec
 * cannot hide itself.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One request as the server read it. */
export interface SeenRequest {
  /** The request line, e.g. `GET / HTTP/1.1`. */
  line: string;
  /** The method. */
  method: string;
  /** The request-target. */
  target: string;
  /** Header fields by lower-cased name. */
  headers: Map<string, string>;
  /** The body, by Content-Length. */
  body: Uint8Array;
}

/** What a script gets for one connection. */
export class ScriptedConnection {
  /** The socket. */
  readonly conn: Deno.Conn;
  /** 0 for the first connection accepted, 1 for the next… */
  readonly index: number;
  readonly #server: ScriptedServer;
  #buf = new Uint8Array(0);

  /** Wraps an accepted socket. */
  constructor(conn: Deno.Conn, index: number, server: ScriptedServer) {
    this.conn = conn;
    this.index = index;
    this.#server = server;
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(16384);
    let n: number | null;
    try {
      n = await this.conn.read(chunk);
    } catch {
      return false;
    }
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  /** Reads one whole request (head and Content-Length body); null at EOF. */
  async readRequest(): Promise<SeenRequest | null> {
    let end = -1;
    for (;;) {
      const text = decoder.decode(this.#buf);
      end = text.indexOf("\r\n\r\n");
      if (end >= 0) break;
      if (!await this.#fill()) return null;
    }
    const head = decoder.decode(this.#buf.subarray(0, end));
    const [line = "", ...fieldLines] = head.split("\r\n");
    const headers = new Map<string, string>();
    for (const f of fieldLines) {
      const colon = f.indexOf(":");
      headers.set(f.slice(0, colon).toLowerCase(), f.slice(colon + 1).trim());
    }
    const length = Number(headers.get("content-length") ?? "0");
    while (this.#buf.length < end + 4 + length) {
      if (!await this.#fill()) return null;
    }
    const body = this.#buf.slice(end + 4, end + 4 + length);
    this.#buf = this.#buf.slice(end + 4 + length);
    const [method = "", target = ""] = line.split(" ");
    const request = { line, method, target, headers, body };
    this.#server.requests.push(request);
    return request;
  }

  /** Reads exactly `n` bytes of whatever the client sent (or fewer at EOF). */
  async readBytes(n: number): Promise<Uint8Array> {
    while (this.#buf.length < n) {
      if (!await this.#fill()) break;
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  /** Writes text or bytes; a client that left is ignored. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let off = 0;
    try {
      while (off < bytes.length) {
        off += await this.conn.write(bytes.subarray(off));
      }
    } catch { /* the client went away */ }
  }

  /** Closes the socket (idempotent). */
  close(): void {
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  /**
   * Waits for the client's next bytes, then closes with a TCP reset: the
   * kernel resets a connection closed with unread input, so read only one
   * byte of it.
   */
  async reset(): Promise<void> {
    try {
      await this.conn.read(new Uint8Array(1));
    } catch { /* already gone */ }
    this.close();
  }
}

/** A script run for each accepted connection. */
export type ConnectionScript = (c: ScriptedConnection) => Promise<void>;

/** A running scripted server. */
export class ScriptedServer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far. */
  accepted = 0;
  /** Every request any script read, in order. */
  readonly requests: SeenRequest[] = [];
  readonly #listener: Deno.Listener;
  readonly #open = new Set<ScriptedConnection>();
  readonly #loop: Promise<void>;
  readonly #scripts: Promise<void>[] = [];

  /**
   * Listens on a free port of 127.0.0.1 (with TLS when given a
   * certificate and key in PEM) and runs `script` per connection.
   */
  constructor(script: ConnectionScript, tls?: { cert: string; key: string }) {
    const listener = tls === undefined
      ? Deno.listen({ hostname: "127.0.0.1", port: 0 })
      : Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls });
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#loop = (async () => {
      for (;;) {
        let conn: Deno.Conn;
        try {
          conn = await listener.accept();
        } catch {
          return;
        }
        const c = new ScriptedConnection(conn, this.accepted++, this);
        this.#open.add(c);
        this.#scripts.push(
          script(c).catch(() => {}).finally(() => {
            c.close();
            this.#open.delete(c);
          }),
        );
      }
    })();
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* closed */ }
    await this.#loop;
    for (const c of this.#open) c.close();
    await Promise.all(this.#scripts);
  }

  /** Closes it (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Starts a scripted server; see {@linkcode ScriptedServer}. */
export function startScriptedServer(
  script: ConnectionScript,
  tls?: { cert: string; key: string },
): ScriptedServer {
  return new ScriptedServer(script, tls);
}

/** A complete `200 OK` response with `body` and a Content-Length. */
export function okResponse(body = "hello", extra = ""): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${
    encoder.encode(body).length
  }\r\n${extra}\r\n${body}`;
}

/** Serves every request on a connection with `respond(request, n)`. */
export function serveEach(
  respond: (
    request: SeenRequest,
    n: number,
    c: ScriptedConnection,
  ) => string | Uint8Array | null,
): ConnectionScript {
  return async (c) => {
    for (let n = 0;; n++) {
      const request = await c.readRequest();
      if (request === null) return;
      const answer = respond(request, n, c);
      if (answer === null) return;
      await c.write(answer);
    }
  };
}
