/**
 * The README's examples, run exactly as written. A fenced block whose info
 * string is `sh runnable` is a list of commands that must each exit 0; one
 * whose info string is `sh runnable server` starts with a server command
 * that is run in the background (until it logs that it is listening), then
 * the other lines run against it. Every block runs while the quick start's own
 * `task start` command serves the bundled site, as a reader's would.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const README = new URL("README.md", ROOT);
const COMMAND_TIMEOUT_MS = 120_000;

/** One runnable block of the README. */
interface RunnableBlock {
  /** Line number of its opening fence. */
  line: number;
  /** Whether its first command is a server to run in the background. */
  server: boolean;
  /** Its commands, one per line, as written. */
  commands: string[];
}

/** The `sh runnable` blocks of `markdown`, in order. */
export function runnableBlocks(markdown: string): RunnableBlock[] {
  const blocks: RunnableBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const info = /^```(.*)$/.exec(lines[i] ?? "")?.[1]?.trim();
    if (info === undefined || info === "") continue;
    const words = info.split(/\s+/);
    const end = lines.indexOf("```", i + 1);
    if (end < 0) break;
    if (words[0] === "sh" && words[1] === "runnable") {
      blocks.push({
        line: i + 1,
        server: words[2] === "server",
        commands: lines.slice(i + 1, end).filter((l) => l.trim() !== ""),
      });
    }
    i = end;
  }
  return blocks;
}

/** The quick start's command that serves the bundled site. */
function quickStartCommand(markdown: string): string {
  const line = markdown.split("\n").find((l) => /task start\b/.test(l));
  assert.ok(line, "the README has a quick-start line with 'task start'");
  return line.replace(/\s+#.*$/, "").trim();
}

function bash(command: string, output: "null" | "piped" = "piped") {
  return new Deno.Command("bash", {
    args: ["-c", command],
    cwd: ROOT,
    stdin: "null",
    stdout: output,
    stderr: output,
    env: { NO_COLOR: "1" },
    // Its own process group, so that stopping it stops what it started
    // (npx, deno task and the program below them).
    detached: true,
  }).spawn();
}

/** Sends `signal` to the process group of `child`. */
function signalGroup(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    Deno.kill(-child.pid, signal);
  } catch { /* already gone */ }
}

/** Waits until `child` says on stdout or stderr that it is listening. */
async function listening(child: Deno.ChildProcess): Promise<string> {
  const decoder = new TextDecoder();
  const first = (stream: ReadableStream<Uint8Array>) =>
    new Promise<string>((resolve) => {
      let text = "";
      (async () => {
        for await (const chunk of stream) {
          text += decoder.decode(chunk, { stream: true });
          if (/Listening on/.test(text)) resolve(text);
        }
        resolve(text);
      })().catch(() => resolve(text));
    });
  const timeout = new Promise<string>((_, reject) =>
    setTimeout(
      () => reject(new Error("The server did not listen within 60 s")),
      60_000,
    )
  );
  return await Promise.race([
    first(child.stdout),
    first(child.stderr),
    timeout,
  ]);
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function runToEnd(command: string): Promise<void> {
  const child = bash(command);
  const timer = setTimeout(
    () => signalGroup(child, "SIGKILL"),
    COMMAND_TIMEOUT_MS,
  );
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder();
  assert.equal(
    code,
    0,
    `README command failed (exit ${code}): ${command}\n${
      text.decode(stdout).slice(-2000)
    }\n${text.decode(stderr).slice(-2000)}`,
  );
}

function stop(child: Deno.ChildProcess): Promise<unknown> {
  signalGroup(child, "SIGTERM");
  const killer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
  return child.status.finally(() => clearTimeout(killer));
}

Deno.test("README: runnableBlocks finds marked blocks only", () => {
  const md = [
    "```sh",
    "not me",
    "```",
    "```sh runnable",
    "echo a",
    "",
    "echo b",
    "```",
    "```sh runnable server",
    "serve",
    "client",
    "```",
  ].join("\n");
  assert.deepEqual(runnableBlocks(md), [
    { line: 4, server: false, commands: ["echo a", "echo b"] },
    { line: 9, server: true, commands: ["serve", "client"] },
  ]);
});

Deno.test({
  name: "README: every runnable example works as written",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const markdown = await Deno.readTextFile(README);
    const blocks = runnableBlocks(markdown);
    assert.ok(blocks.length >= 5, "the README marks its examples runnable");
    // Its log is not read, so it goes nowhere rather than into a full pipe.
    const site = bash(quickStartCommand(markdown), "null");
    try {
      await waitForPort(9234, 120_000);
      for (const block of blocks) {
        await t.step(`README.md:${block.line}`, async () => {
          let server: Deno.ChildProcess | null = null;
          let commands = block.commands;
          if (block.server) {
            server = bash(commands[0]!);
            commands = commands.slice(1);
            await listening(server);
          }
          try {
            for (const command of commands) await runToEnd(command);
          } finally {
            if (server !== null) await stop(server);
          }
        });
      }
    } finally {
      await stop(site);
    }
  },
});
