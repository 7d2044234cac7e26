import assert from "node:assert/strict";
import { parseChatLine, prefixedLine } from "../lib/sockets/chat_lines.ts";
import {
  connectRaw,
  spawnProgram,
  startSocketServer,
} from "./helpers/socket_modes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("chat lines: blank leaves, /name renames, relays get a prefix", () => {
  assert.deepEqual(parseChatLine(encoder.encode("\r\n")), { kind: "leave" });
  assert.deepEqual(parseChatLine(encoder.encode("/name alice\n")), {
    kind: "rename",
    name: "alice",
  });
  assert.equal(parseChatLine(encoder.encode("/name a b c\n")).kind, "bad-name");
  const said = parseChatLine(encoder.encode("hi there\r\n"));
  assert.equal(said.kind, "say");
  assert.equal(
    decoder.decode(prefixedLine("bob", encoder.encode("hi there"))),
    "[bob] hi there\n",
  );
});

Deno.test("one-to-one chat server", async (t) => {
  await using server = await startSocketServer([
    "--chat-server",
    "-p",
    "0",
    "-b",
    "127.0.0.1",
  ]);

  await t.step(
    "one-to-one chat flows both ways at once, and the next client waits its turn",
    async () => {
      const target = `127.0.0.1:${server.port}`;
      await using alice = spawnProgram("thor", [
        "--chat",
        target,
        "--name",
        "alice",
      ]);
      await server.waitFor("stderr", /Chatting with 127\.0\.0\.1:\d+/);

      // The server speaks first: no turn-taking.
      await server.write("hello, whoever you are\n");
      await alice.waitFor("stdout", "hello, whoever you are\n");
      await alice.write("hi, I am alice\n");
      await server.waitFor("stdout", "[alice] hi, I am alice\n");
      await server.write("nice to meet you\n");
      await alice.waitFor("stdout", "nice to meet you\n");

      // A second client connects and types while alice still talks.
      await using bob = spawnProgram("thor", ["--chat", target]);
      await bob.waitFor("stderr", "Connected to");
      await bob.write("bob was here first in the queue\n");
      await alice.write("bye\n");
      await server.waitFor("stdout", "[alice] bye\n");
      assert.doesNotMatch(server.stdout(), /bob was here/);

      // A blank line leaves: alice's thor exits, bob gets his turn.
      await alice.write("\n");
      assert.equal((await alice.finished()).code, 0);
      await server.waitFor("stderr", /alice left: closed the connection/);
      await server.waitFor(
        "stdout",
        /\[127\.0\.0\.1:\d+\] bob was here first in the queue\n/,
      );
      await server.write("welcome, bob\n");
      await bob.waitFor("stdout", "welcome, bob\n");
      assert.doesNotMatch(alice.stdout(), /welcome, bob/);

      // A blank line on the server's side ends bob's conversation.
      await server.write("\n");
      assert.equal((await bob.finished()).code, 0);
      assert.match(bob.stderr(), /Connection closed by 127\.0\.0\.1:\d+/);
      await server.waitFor("stderr", /left: ended by the server/);
    },
  );

  await t.step("the end of input leaves the chat", async () => {
    await using carol = spawnProgram("thor", [
      "--chat",
      `127.0.0.1:${server.port}`,
    ]);
    await carol.write("last words");
    await carol.closeStdin();
    assert.equal((await carol.finished()).code, 0);
    await server.waitFor("stdout", /\] last words\n/);
    // Alice left the same way earlier: wait for the second such line.
    await server.waitFor(
      "stderr",
      /left: closed the connection[\s\S]*left: closed the connection/,
    );
  });
});

Deno.test("one-to-one chat: a queued client is told it waits, its place and its turn", async () => {
  await using server = await startSocketServer([
    "--chat-server",
    "-p",
    "0",
    "-b",
    "127.0.0.1",
  ]);
  const first = await connectRaw(server.port);
  let third: Awaited<ReturnType<typeof connectRaw>> | undefined;
  try {
    await server.waitFor("stderr", /Chatting with 127\.0\.0\.1:\d+/);
    // The client being served is not told to wait.
    await server.write("hello first\n");
    await first.waitFor("hello first\n");
    assert.doesNotMatch(first.received(), /waiting/);

    // thor's client shows what the server says: it waits, and where.
    await using second = spawnProgram("thor", [
      "--chat",
      `127.0.0.1:${server.port}`,
    ]);
    await second.waitFor(
      "stdout",
      "* waiting: the server chats with one client at a time and you are number 1 in the queue; what you type is read when your turn comes\n",
    );
    await server.waitFor("stderr", /waits its turn \(1 in the queue\)/);
    third = await connectRaw(server.port);
    await third.waitFor(/\* waiting: .* number 2 in the queue;/);
    await second.write("typed while waiting\n");

    // The first leaves: the second's turn, the third moves up.
    await first.send("\n");
    await first.closed;
    await second.waitFor(
      "stdout",
      "* your turn: the server reads your lines now\n",
    );
    await third.waitFor("* waiting: you are number 1 in the queue\n");
    await server.waitFor("stdout", /\] typed while waiting\n/);
    await server.write("hello second\n");
    await second.waitFor("stdout", "hello second\n");
    assert.doesNotMatch(third.received(), /hello second/);
    assert.doesNotMatch(third.received(), /\* your turn:/);

    await server.write("\n");
    assert.equal((await second.finished()).code, 0);
    await third.waitFor("* your turn: the server reads your lines now\n");
  } finally {
    first.close();
    third?.close();
  }
});

Deno.test("broker chat server (--max-line 64)", async (t) => {
  await using server = await startSocketServer([
    "--chat-server",
    "--broker",
    "--max-line",
    "64",
    "-p",
    "0",
    "-b",
    "127.0.0.1",
  ]);

  await t.step(
    "--broker relays every line to all the other clients",
    async () => {
      await using alice = spawnProgram("thor", [
        "--chat",
        `127.0.0.1:${server.port}`,
        "--name",
        "alice",
      ]);
      await alice.waitFor("stdout", "* welcome");
      const bob = await connectRaw(server.port);
      const carol = await connectRaw(server.port);
      try {
        await bob.waitFor("* welcome");
        await bob.send("/name bob\n");
        await carol.waitFor("* welcome");
        await carol.send("/name carol\n");
        await alice.waitFor("stdout", "is now carol\n");

        await alice.write("hello everyone\n");
        await bob.waitFor("[alice] hello everyone\n");
        await carol.waitFor("[alice] hello everyone\n");

        await bob.send("hi alice\r\n");
        await alice.waitFor("stdout", "[bob] hi alice\n");
        await carol.waitFor("[bob] hi alice\n");
        // Lines go to the others only: alice's own line came back to no one.
        assert.doesNotMatch(alice.stdout(), /\[alice\]/);
        assert.doesNotMatch(bob.received(), /\[bob\]/);

        await server.write("server speaking\n");
        await alice.waitFor("stdout", "[server] server speaking\n");
        await bob.waitFor("[server] server speaking\n");
        await carol.waitFor("[server] server speaking\n");
        assert.match(
          server.stdout(),
          /\[alice\] hello everyone\n\[bob\] hi alice\n/,
        );

        await carol.send("/name bob\n");
        await carol.waitFor('* "bob" is taken\n');

        // A blank line leaves and the others are told.
        await bob.send("\n");
        await bob.closed;
        await alice.waitFor("stdout", "* bob left\n");
        await carol.waitFor("* bob left\n");
      } finally {
        bob.close();
        carol.close();
      }
    },
  );

  await t.step(
    "--broker cuts off a client sending an over-long line, with a reason",
    async () => {
      const client = await connectRaw(server.port);
      try {
        await client.waitFor("* welcome");
        await client.send(`${"z".repeat(100)}\n`);
        await client.closed;
        assert.match(
          client.received(),
          /\* error: Line is longer than 64 bytes\n$/,
        );
        await server.waitFor("stderr", /left: line is longer than 64 bytes/);
      } finally {
        client.close();
      }
    },
  );
});
