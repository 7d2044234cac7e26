import assert from "node:assert/strict";
import { runProgram, startSocketServer } from "./helpers/socket_modes.ts";

const encoder = new TextEncoder();

function heartbeatServer() {
  return startSocketServer([
    "--heartbeat-server",
    "-p",
    "0",
    "-b",
    "127.0.0.1",
    "--silence",
    "0.6",
  ]);
}

Deno.test("heartbeat server (--silence 0.6), one process for all senders", async (t) => {
  await using server = await heartbeatServer();

  await t.step(
    "gaps, reordering, delay and silence from raw beats",
    async () => {
      const socket = Deno.listenDatagram({
        transport: "udp",
        hostname: "127.0.0.1",
        port: 0,
      });
      const me = `127.0.0.1:${(socket.addr as Deno.NetAddr).port}`;
      try {
        // Beat 1 claims it was sent 250 ms ago; 4 comes after 6; 7 never comes.
        const order = [1, 2, 3, 5, 6, 4, 8];
        for (const seq of order) {
          const sent = Date.now() - (seq === 1 ? 250 : 0);
          await socket.send(encoder.encode(`${seq} ${sent}`), {
            transport: "udp",
            hostname: "127.0.0.1",
            port: server.port,
          });
          // Loopback keeps order; the pause only keeps the output readable.
          await server.waitFor("stdout", new RegExp(` seq=${seq} `));
        }
        const lastBeatAt = Date.now();
        await server.waitFor("stdout", "summary:");
        const silentFor = Date.now() - lastBeatAt;
        assert.ok(
          silentFor >= 550,
          `declared stopped after only ${silentFor} ms`,
        );
      } finally {
        socket.close();
      }
      const out = server.stdout();
      assert.match(out, new RegExp(`^${me} started at seq 1$`, "m"));
      const firstDelay = Number(
        new RegExp(`^${me} seq=1 delay=([\\d.]+) ms$`, "m").exec(out)?.[1],
      );
      assert.ok(firstDelay >= 250, `delay ${firstDelay} should include 250 ms`);
      assert.match(out, new RegExp(`^${me} lost seq 4 \\(1 beat\\)$`, "m"));
      assert.match(
        out,
        new RegExp(
          `^${me} seq=4 delay=[\\d.]+ ms reordered \\(after seq 6\\)$`,
          "m",
        ),
      );
      assert.match(out, new RegExp(`^${me} lost seq 7 \\(1 beat\\)$`, "m"));
      assert.match(
        out,
        new RegExp(`^${me} stopped: no beat for 0.6 s after seq 8$`, "m"),
      );
      assert.match(
        out,
        new RegExp(
          `^${me} summary: 7 received, 1 lost \\(seq 7\\), 1 reordered, 0 duplicates; delay min/avg/max = `,
          "m",
        ),
      );
      // The reorder happened after "lost seq 4": the order of lines shows it.
      assert.ok(out.indexOf("lost seq 4") < out.indexOf("seq=4 delay"));
    },
  );

  await t.step(
    "thor --heartbeat beats arrive in order and the sender is declared stopped",
    async () => {
      const since = server.stdout().length;
      const client = await runProgram("thor", [
        "--heartbeat",
        `127.0.0.1:${server.port}`,
        "-c",
        "5",
        "-i",
        "0.05",
      ]);
      assert.equal(client.code, 0, client.stderr);
      assert.match(client.stdout, /^Sent 5 heartbeats to 127\.0\.0\.1:\d+$/m);
      await server.waitFor("stdout", "summary:", 10_000, since);
      const out = server.stdout().slice(since);
      for (let seq = 1; seq <= 5; seq++) {
        assert.match(out, new RegExp(` seq=${seq} delay=[\\d.]+ ms\\n`));
      }
      assert.doesNotMatch(out, /lost seq|reordered \(|seq=\d+ duplicate/);
      assert.match(out, /stopped: no beat for 0\.6 s after seq 5\n/);
      assert.match(
        out,
        /summary: 5 received, 0 lost, 0 reordered, 0 duplicates;/,
      );
    },
  );

  await t.step(
    "junk datagrams are ignored with a warning, the server keeps going",
    async () => {
      const socket = Deno.listenDatagram({
        transport: "udp",
        hostname: "127.0.0.1",
        port: 0,
      });
      const to = {
        transport: "udp" as const,
        hostname: "127.0.0.1",
        port: server.port,
      };
      const since = server.stdout().length;
      try {
        await socket.send(encoder.encode("hello there"), to);
        await server.waitFor("stderr", "is not a heartbeat");
        await socket.send(encoder.encode(`1 ${Date.now()}`), to);
        await server.waitFor("stdout", " seq=1 delay=", 10_000, since);
      } finally {
        socket.close();
      }
      await server.stop();
      // Stopping the server summarises senders that were still beating.
      assert.match(
        server.stdout(),
        /\(still beating\) summary: 1 received, 0 lost/,
      );
    },
  );
});
