import assert from "node:assert/strict";
import { connectRaw, startSocketServer } from "./helpers/socket_modes.ts";

function echoServer(...extra: string[]) {
  return startSocketServer([
    "--echo-server",
    "-p",
    "0",
    "-b",
    "127.0.0.1",
    ...extra,
  ]);
}

Deno.test("echo server, one process for many clients (--max-line 1000)", async (t) => {
  await using server = await echoServer("--max-line", "1000");

  await t.step(
    "50 clients at once each get exactly their own lines back",
    async () => {
      const clients = await Promise.all(
        Array.from({ length: 50 }, () => connectRaw(server.port)),
      );
      try {
        const expected = clients.map((_, c) => {
          let text = "";
          for (let i = 0; i < 20; i++) {
            text += `client ${c} line ${i}${i % 2 === 0 ? "\r\n" : "\n"}`;
          }
          return text;
        });
        // Every client sends in two pieces split mid-line, all interleaved.
        await Promise.all(clients.map(async (client, c) => {
          const text = expected[c]!;
          const cut = Math.floor(text.length / 2) + 3;
          await client.send(text.slice(0, cut));
          await new Promise((resolve) => setTimeout(resolve, 5));
          await client.send(text.slice(cut));
        }));
        await Promise.all(clients.map(async (client, c) => {
          await client.waitFor(`client ${c} line 19\n`, 15_000);
          assert.equal(client.received(), expected[c]);
        }));
        await server.waitFor("stderr", /\(50 open\)/);
      } finally {
        for (const client of clients) client.close();
      }
      await server.waitFor(
        "stderr",
        /Disconnected 127\.0\.0\.1:\d+: .*\(0 open\)/,
      );
    },
  );

  await t.step(
    "a line 'exit' closes the connection, lines after it are not echoed",
    async () => {
      const client = await connectRaw(server.port);
      await client.send("one\nexit\ntwo\n");
      await client.closed;
      assert.equal(client.received(), "one\n");
      client.close();
      await server.waitFor(
        "stderr",
        /Disconnected 127\.0\.0\.1:\d+: exit, 1 lines echoed/,
      );
      assert.match(server.stderr(), /Connected 127\.0\.0\.1:\d+ \(1 open\)/);
    },
  );

  await t.step(
    "a last line without a line feed is echoed when the client ends",
    async () => {
      const client = await connectRaw(server.port);
      try {
        await client.send("complete\npartial");
        await client.conn.closeWrite();
        await client.closed;
        assert.equal(client.received(), "complete\npartial");
      } finally {
        client.close();
      }
    },
  );

  await t.step(
    "an endless line is cut off with an error, and the server stays up",
    async () => {
      const client = await connectRaw(server.port);
      const chunk = new TextEncoder().encode("x".repeat(16_384));
      let sent = 0;
      try {
        // Far more than the limit; the server must close long before the end.
        while (sent < 8 * 1024 * 1024) {
          await client.send(chunk);
          sent += chunk.length;
        }
      } catch {
        // Reset by the server: expected.
      }
      await client.closed;
      client.close();
      assert.ok(
        sent < 8 * 1024 * 1024,
        "the server kept reading an endless line",
      );
      assert.equal(
        client.received(),
        "error: Line is longer than 1000 bytes\r\n",
      );
      await server.waitFor("stderr", /line longer than 1000 bytes/);

      const next = await connectRaw(server.port);
      try {
        await next.send(`${"y".repeat(1000)}\n`);
        await next.waitFor(`${"y".repeat(1000)}\n`);
      } finally {
        next.close();
      }
    },
  );
});

Deno.test("--upper upper-cases ASCII letters and keeps other bytes", async () => {
  await using server = await echoServer("--upper");
  const client = await connectRaw(server.port);
  try {
    await client.send("Hello, wörld 42\r\nexit\r\n");
    await client.closed;
    assert.equal(client.received(), "HELLO, WöRLD 42\r\n");
  } finally {
    client.close();
  }
});
