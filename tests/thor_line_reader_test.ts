import assert from "node:assert/strict";
import { LineReader } from "../lib/thor/line_reader.ts";

Deno.test("lines split across chunks, CRLF, and a last line without LF", async () => {
  const chunks = ["rea", 'dy\nprogress 1 0\r\nstats {"a"', ":1}\nend"];
  const bytes = chunks.map((c) => new TextEncoder().encode(c));
  const reader = new LineReader(() => Promise.resolve(bytes.shift() ?? null));
  const lines: string[] = [];
  for (;;) {
    const line = await reader.line();
    if (line === null) break;
    lines.push(line);
  }
  assert.deepEqual(lines, ["ready", "progress 1 0", 'stats {"a":1}', "end"]);
});

Deno.test("a failing source ends the lines instead of throwing", async () => {
  const reader = new LineReader(() => Promise.reject(new Error("gone")));
  assert.equal(await reader.line(), null);
});
