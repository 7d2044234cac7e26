import assert from "node:assert/strict";
import {
  bracketHost,
  closeQuietly,
  describeError,
  formatAddr,
  formatHostPort,
  hostWithoutPort,
  ListenError,
  listenError,
  listenTcp,
  listenTcpGroup,
  writeAll,
} from "../lib/common/net.ts";

Deno.test("formatHostPort and bracketHost bracket IPv6 addresses", () => {
  assert.equal(formatHostPort("0.0.0.0", 80), "0.0.0.0:80");
  assert.equal(formatHostPort("example.com", 8080), "example.com:8080");
  assert.equal(formatHostPort("::1", 8080), "[::1]:8080");
  assert.equal(bracketHost("1.2.3.4"), "1.2.3.4");
  assert.equal(bracketHost("fe80::1"), "[fe80::1]");
});

Deno.test("formatAddr prints TCP, UDP and Unix addresses", () => {
  assert.equal(
    formatAddr({ transport: "tcp", hostname: "::1", port: 9 }),
    "[::1]:9",
  );
  assert.equal(
    formatAddr({ transport: "udp", hostname: "127.0.0.1", port: 53 }),
    "127.0.0.1:53",
  );
  assert.equal(formatAddr({ transport: "unix", path: "/tmp/s" }), "/tmp/s");
});

Deno.test("describeError gives one line without the OS error number", () => {
  assert.equal(
    describeError(
      new Deno.errors.ConnectionRefused(
        "Connection refused (os error 111)",
      ),
    ),
    "Connection refused",
  );
  assert.equal(
    describeError(new Error("First line\nsecond line")),
    "First line",
  );
  assert.equal(
    describeError(new Error("Broken pipe (os error 32)\nmore")),
    "Broken pipe",
  );
  assert.equal(describeError(new Deno.errors.TimedOut("")), "TimedOut");
  assert.equal(describeError("plain text"), "plain text");
  assert.equal(describeError(42), "42");
});

/** A sink that takes at most `max` bytes per write. */
class ShortSink {
  chunks: Uint8Array[] = [];
  writes = 0;
  constructor(private max: number) {}
  write(p: Uint8Array): Promise<number> {
    this.writes++;
    const n = Math.min(p.length, this.max);
    this.chunks.push(p.slice(0, n));
    return Promise.resolve(n);
  }
  get text(): string {
    return this.chunks.map((c) => new TextDecoder().decode(c)).join("");
  }
}

Deno.test("writeAll loops over short writes", async () => {
  const sink = new ShortSink(3);
  await writeAll(sink, new TextEncoder().encode("0123456789"));
  assert.equal(sink.text, "0123456789");
  assert.equal(sink.writes, 4);
  const empty = new ShortSink(3);
  await writeAll(empty, new Uint8Array(0));
  assert.equal(empty.writes, 0);
});

Deno.test("closeQuietly ignores what is already closed", () => {
  let closes = 0;
  const closer = {
    close() {
      closes++;
      if (closes > 1) throw new Deno.errors.BadResource("Bad resource ID");
    },
  };
  closeQuietly(closer);
  closeQuietly(closer);
  assert.equal(closes, 2);
});

Deno.test("listenError words each failure for the user", () => {
  const inUse = listenError(
    new Deno.errors.AddrInUse("Address in use (os error 98)"),
    "::1",
    80,
  );
  assert.ok(inUse instanceof ListenError);
  assert.equal(inUse.code, "LISTEN_FAILED");
  assert.equal(inUse.name, "ListenError");
  assert.equal(inUse.message, "Port 80 on ::1 is already in use");
  assert.equal(
    listenError(new Deno.errors.PermissionDenied("x"), "::1", 80).message,
    "Not allowed to listen on [::1]:80",
  );
  const other = new Deno.errors.AddrNotAvailable(
    "Cannot assign requested address (os error 99)",
  );
  const err = listenError(other, "1.2.3.4", 0);
  assert.equal(
    err.message,
    "Cannot listen on 1.2.3.4:0: Cannot assign requested address",
  );
  assert.equal(err.cause, other);
});

Deno.test("listenTcp binds, and a taken port is a ListenError", () => {
  const first = listenTcp("127.0.0.1", 0);
  try {
    const port = (first.addr as Deno.NetAddr).port;
    assert.ok(port > 0);
    assert.throws(() => listenTcp("127.0.0.1", port), (err: unknown) => {
      assert.ok(err instanceof ListenError, String(err));
      assert.equal(err.message, `Port ${port} on 127.0.0.1 is already in use`);
      return true;
    });
  } finally {
    first.close();
  }
});

Deno.test({
  name: "listenTcp with reusePort shares a port with another that set it",
  ignore: Deno.build.os !== "linux",
  fn() {
    const first = listenTcp("127.0.0.1", 0, { reusePort: true });
    const port = (first.addr as Deno.NetAddr).port;
    const second = listenTcp("127.0.0.1", port, { reusePort: true });
    try {
      assert.equal((second.addr as Deno.NetAddr).port, port);
    } finally {
      first.close();
      second.close();
    }
  },
});

Deno.test("hostWithoutPort strips a port from names, IPv4 and IPv6", () => {
  assert.equal(hostWithoutPort("example.com"), "example.com");
  assert.equal(hostWithoutPort("example.com:8080"), "example.com");
  assert.equal(hostWithoutPort("127.0.0.1:80"), "127.0.0.1");
  assert.equal(hostWithoutPort("[::1]:8080"), "[::1]");
  assert.equal(hostWithoutPort("[::1]"), "[::1]");
  assert.equal(hostWithoutPort("[::1"), "[::1", "no closing bracket: kept");
});

Deno.test({
  name:
    "listenTcpGroup: listeners on one port, each accepting; never joining a taken port",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const group = listenTcpGroup("127.0.0.1", 0, 4);
    try {
      assert.equal(group.length, 4);
      const port = (group[0]!.addr as Deno.NetAddr).port;
      for (const l of group) assert.equal((l.addr as Deno.NetAddr).port, port);
      // The port is held: another group (or a plain bind) fails clearly.
      assert.throws(
        () => listenTcpGroup("127.0.0.1", port, 2),
        (err: unknown) => err instanceof ListenError,
      );
      // A worker of a pool joins on purpose.
      const joined = listenTcpGroup("127.0.0.1", port, 1, true);
      joined[0]!.close();
      // Connections reach the group's listeners; each accepts its own.
      const accepted = new Set<number>();
      const loops = group.map(async (l, i) => {
        for await (const conn of l) {
          accepted.add(i);
          conn.close();
        }
      });
      const clients = await Promise.all(
        Array.from(
          { length: 64 },
          () => Deno.connect({ hostname: "127.0.0.1", port }),
        ),
      );
      for (const c of clients) c.close();
      for (let i = 0; i < 100 && accepted.size < 2; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(
        accepted.size >= 2,
        `only listener(s) ${[...accepted]} accepted`,
      );
      for (const l of group) l.close();
      await Promise.allSettled(loops);
    } finally {
      for (const l of group) closeQuietly(l);
    }
  },
});
