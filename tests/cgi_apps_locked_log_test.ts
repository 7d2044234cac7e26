/**
 * The shared JSON-lines file of the CGI applications
 * (lib/cgi_apps/locked_log.ts): whole lines under concurrent writers in
 * separate processes, the lock really held, torn and bad lines skipped.
 */

import assert from "node:assert/strict";
import { appendJsonLine, readJsonLines } from "../lib/cgi_apps/locked_log.ts";

const MODULE = new URL("../lib/cgi_apps/locked_log.ts", import.meta.url).href;

function accept(value: unknown): { n: number; text: string } | null {
  const v = value as { n?: unknown; text?: unknown };
  return typeof v?.n === "number" && typeof v.text === "string"
    ? { n: v.n, text: v.text }
    : null;
}

/** Runs `code` in a separate deno process with the module imported. */
function spawnDeno(code: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--no-config",
      `import { appendJsonLine } from "${MODULE}";\n${code}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/** Replaces console.error while `fn` runs; returns what it printed. */
function captureStderr(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines;
}

Deno.test("readJsonLines of a missing file is empty", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.deepEqual(readJsonLines(`${dir}/none.jsonl`, accept), []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("appendJsonLine keeps line breaks inside one line, file mode 0600", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/log.jsonl`;
  try {
    appendJsonLine(path, { n: 1, text: "two\nlines\r\n" });
    appendJsonLine(path, { n: 2, text: "\u2028" });
    assert.equal(Deno.readTextFileSync(path).split("\n").length, 3);
    assert.deepEqual(readJsonLines(path, accept), [
      { n: 1, text: "two\nlines\r\n" },
      { n: 2, text: "\u2028" },
    ]);
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a torn last line is skipped and sealed off by the next append", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/log.jsonl`;
  try {
    appendJsonLine(path, { n: 1, text: "a" });
    Deno.writeTextFileSync(path, '{"n":2,"te', { append: true });
    let records: unknown[] = [];
    const logged = captureStderr(() => {
      records = readJsonLines(path, accept);
    });
    assert.deepEqual(records, [{ n: 1, text: "a" }]);
    assert.deepEqual(logged, [
      `${path}: skipped 1 unreadable line (the first is line 2)`,
    ]);
    appendJsonLine(path, { n: 3, text: "c" });
    assert.equal(
      Deno.readTextFileSync(path),
      '{"n":1,"text":"a"}\n{"n":2,"te\n{"n":3,"text":"c"}\n',
    );
    captureStderr(() => {
      records = readJsonLines(path, accept);
    });
    assert.deepEqual(records, [{ n: 1, text: "a" }, { n: 3, text: "c" }]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("lines that are not JSON or not records are skipped and counted once", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/log.jsonl`;
  try {
    Deno.writeTextFileSync(
      path,
      '{"n":1,"text":"ok"}\nnot json\n\n[1,2]\n\u0000\u0000\n{"n":5,"text":"ok"}\n',
    );
    let records: unknown[] = [];
    const logged = captureStderr(() => {
      records = readJsonLines(path, accept);
    });
    assert.deepEqual(records, [{ n: 1, text: "ok" }, { n: 5, text: "ok" }]);
    assert.deepEqual(logged, [
      `${path}: skipped 3 unreadable lines (the first is line 2)`,
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("processes appending at once lose and tear nothing", async () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/log.jsonl`;
  try {
    // Lines of ~10 KB: far past PIPE_BUF, and written by the kernel in
    // more than one piece on some filesystems.
    const writers = Array.from({ length: 4 }, (_, w) =>
      spawnDeno(
        `for (let i = 0; i < 50; i++) appendJsonLine(${
          JSON.stringify(path)
        }, { n: ${w} * 1000 + i, text: "${w}".repeat(10000) });`,
      ));
    const statuses = await Promise.all(writers.map((c) => c.output()));
    assert.ok(statuses.every((s) => s.success));
    const records = readJsonLines(path, accept);
    assert.equal(records.length, 200);
    const seen = new Set(records.map((r) => r.n));
    assert.equal(seen.size, 200);
    for (const r of records) {
      assert.equal(r.text, String(Math.floor(r.n / 1000)).repeat(10000));
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a writer waits while another process holds the lock", async () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/log.jsonl`;
  try {
    appendJsonLine(path, { n: 1, text: "first" });
    const held = Deno.openSync(path, { read: true, write: true });
    held.lockSync(true);
    const child = spawnDeno(
      `console.log("ready");\nappendJsonLine(${
        JSON.stringify(path)
      }, { n: 2, text: "second" });`,
    );
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "ready\n");
    // Given time to append, the child must still be waiting for the lock.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(readJsonLinesUnlocked(path), 1);
    held.close();
    assert.equal((await reader.read()).done, true);
    assert.ok((await child.status).success);
    assert.deepEqual(readJsonLines(path, accept).map((r) => r.n), [1, 2]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Lines in the file, read without taking the lock. */
function readJsonLinesUnlocked(path: string): number {
  return Deno.readTextFileSync(path).split("\n").filter((l) => l !== "").length;
}
