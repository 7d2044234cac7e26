import assert from "node:assert/strict";
import { LineTooLongError } from "../lib/common/line_reader.ts";
import {
  describeExit,
  ParentLink,
  ParentLinkError,
  SupervisedChild,
} from "../lib/common/supervisor.ts";

const SUPERVISOR = new URL("../lib/common/supervisor.ts", import.meta.url).href;

/** Starts `deno eval` of `body`, with `link` the child's ParentLink. */
function program(body: string) {
  const code = `const { ParentLink } = await import(${
    JSON.stringify(SUPERVISOR)
  });\nconst link = new ParentLink();\n${body}`;
  return (args: readonly string[]) => ({
    command: Deno.execPath(),
    args: ["eval", "--quiet", code, ...args],
  });
}

Deno.test("the options come first, then the ready line, then the program's lines", async () => {
  const lines: string[] = [];
  const child = SupervisedChild.spawn({
    args: ["--marker"],
    options: JSON.stringify({ n: 3, text: 'a "b"' }),
    readyLine: "ready",
    onLine: (line) => lines.push(line),
    command: program(`
      const options = await link.readOptions();
      link.send("before ready is skipped");
      link.send("ready");
      link.send("args " + JSON.stringify(Deno.args));
      link.send("options " + JSON.stringify(options));
      link.send("control " + await link.nextLine());
      Deno.exit(3);
    `),
  });
  assert.equal(await child.send("hello"), true);
  assert.equal(await child.ready, true);
  const status = await child.wait();
  assert.equal(status.code, 3);
  assert.equal(describeExit(status), "status 3");
  assert.equal(child.outputError, null);
  assert.deepEqual(lines, [
    'args ["--marker"]',
    'options {"n":3,"text":"a \\"b\\""}',
    "control hello",
  ]);
  assert.equal(await child.send("late"), false, "the child is gone");
});

Deno.test("a child that ends before its ready line is not ready", async () => {
  const child = SupervisedChild.spawn({
    args: [],
    options: "{}",
    readyLine: "ready",
    command: program(`link.send("almost"); Deno.exit(2);`),
  });
  assert.equal(await child.ready, false);
  assert.equal((await child.wait()).code, 2);
});

Deno.test("a chatty child never blocks: its output is drained", async () => {
  const child = SupervisedChild.spawn({
    args: [],
    options: "{}",
    readyLine: "ready",
    command: program(`
      link.send("ready");
      const line = "x".repeat(1000);
      for (let i = 0; i < 5000; i++) link.send(line);
    `),
  });
  assert.equal(await child.ready, true);
  assert.equal((await child.wait()).code, 0);
});

Deno.test("a line over the limit is an output error, and the rest is drained", async () => {
  const lines: string[] = [];
  const child = SupervisedChild.spawn({
    args: [],
    options: "{}",
    readyLine: "ready",
    maxLineBytes: 100,
    onLine: (line) => lines.push(line),
    command: program(`
      link.send("ready");
      link.send("short");
      link.send("y".repeat(1000));
      for (let i = 0; i < 200; i++) link.send("z".repeat(1000));
    `),
  });
  assert.equal((await child.wait()).code, 0);
  assert.deepEqual(lines, ["short"]);
  assert.ok(child.outputError instanceof LineTooLongError);
});

Deno.test("stop sends SIGTERM, then SIGKILL to a child that ignores it", async () => {
  const polite = SupervisedChild.spawn({
    args: [],
    options: "{}",
    readyLine: "ready",
    command: program(`
      Deno.addSignalListener("SIGTERM", () => Deno.exit(5));
      link.send("ready");
      setInterval(() => {}, 1000);
    `),
  });
  assert.equal(await polite.ready, true);
  assert.equal((await polite.stop(10_000)).code, 5);

  const stubborn = SupervisedChild.spawn({
    args: [],
    options: "{}",
    readyLine: "ready",
    command: program(`
      Deno.addSignalListener("SIGTERM", () => {});
      link.send("ready");
      setInterval(() => {}, 1000);
    `),
  });
  assert.equal(await stubborn.ready, true);
  const started = Date.now();
  const status = await stubborn.stop(300);
  assert.equal(status.signal, "SIGKILL");
  assert.equal(describeExit(status), "status 137 (SIGKILL)");
  assert.ok(Date.now() - started >= 300);
});

Deno.test("a child sees its parent gone when the control pipe closes", async () => {
  const child = SupervisedChild.spawn({
    args: [],
    options: "{}",
    readyLine: "ready",
    command: program(`
      await link.readOptions();
      link.whenGone(() => Deno.exit(7));
      link.send("ready");
      setInterval(() => {}, 1000);
    `),
  });
  assert.equal(await child.ready, true);
  await child.send("ignored");
  await child.closeControl();
  assert.equal((await child.status).code, 7);
});

Deno.test("an options line must be one line", () => {
  assert.throws(
    () =>
      SupervisedChild.spawn({
        args: [],
        options: "{\n}",
        readyLine: "ready",
        command: () => ({ command: "/nonexistent", args: [] }),
      }),
    RangeError,
  );
});

/** A stream of `text`, then an error if `fail` is given. */
function input(text: string, fail?: Error): ReadableStream<Uint8Array> {
  let sent = text === "";
  return new ReadableStream({
    pull(controller) {
      if (!sent) controller.enqueue(new TextEncoder().encode(text));
      else if (fail === undefined) controller.close();
      else controller.error(fail);
      sent = true;
    },
  });
}

const noOutput = { writeSync: (p: Uint8Array) => p.length };

Deno.test("ParentLink reads the options, then control lines until the parent is gone", async () => {
  const link = new ParentLink(input('{"a":[1]}\ngo\r\nstop\n'), noOutput);
  assert.deepEqual(await link.readOptions(), { a: [1] });
  assert.equal(await link.nextLine(), "go");
  assert.equal(await link.nextLine(), "stop");
  assert.equal(await link.nextLine(), null);
  const broken = new ParentLink(input("{}\n", new Error("EPIPE")), noOutput);
  assert.deepEqual(await broken.readOptions(), {});
  assert.equal(await broken.nextLine(), null, "a broken pipe: parent gone");
});

Deno.test("ParentLink refuses a missing or bad options line", async () => {
  const codeOf = async (text: string) => {
    try {
      await new ParentLink(input(text), noOutput).readOptions();
    } catch (err) {
      assert.ok(err instanceof ParentLinkError);
      return err.code;
    }
    return "none";
  };
  assert.equal(await codeOf(""), "NO_OPTIONS");
  assert.equal(await codeOf("{oops\n"), "BAD_OPTIONS");
  const failing = new ParentLink(input("", new Error("read failed")), noOutput);
  await assert.rejects(() => failing.readOptions(), /read failed/);
});

Deno.test("ParentLink writes each line whole, however the sink splits it", () => {
  const written: number[] = [];
  const link = new ParentLink(input(""), {
    writeSync(p: Uint8Array) {
      const n = Math.min(3, p.length);
      written.push(...p.subarray(0, n));
      return n;
    },
  });
  link.send("stats {}");
  assert.equal(
    new TextDecoder().decode(Uint8Array.from(written)),
    "stats {}\n",
  );
});
