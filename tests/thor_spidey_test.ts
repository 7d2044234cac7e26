import assert from "node:assert/strict";
import { runProgram } from "./helpers/socket_modes.ts";
import { makeDocroot, serveFolder } from "./helpers/spidey_process.ts";

/** Runs thor with `args` to its end. */
const thor = (args: string[]) => runProgram("thor", args);

Deno.test("thor against a real spidey: every 200 counted, every byte right", async () => {
  const body = "x".repeat(1023) + "\n";
  const root = await makeDocroot({ "one-k.txt": body });
  // An old file keeps every response the same size (a file changed in the
  // last second may get a weak ETag, two bytes longer).
  await Deno.utime(`${root}/one-k.txt`, 1_600_000_000, 1_600_000_000);
  await using spidey = await serveFolder(root, ["-q"]);
  const url = `http://127.0.0.1:${spidey.port}/one-k.txt`;

  // The single-request dump shows exactly what one response takes.
  const single = await thor([url]);
  assert.equal(single.code, 0, single.stderr);
  assert.match(single.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(single.stdout.endsWith(`\r\n\r\n${body}`));
  const responseBytes = single.stdoutBytes.length;

  const result = await thor(["-r", "40", "-c", "4", "--json", url]);
  assert.equal(result.code, 0, result.stderr);
  const s = JSON.parse(result.stdout);
  assert.deepEqual(s.status, { "200": 40 });
  assert.equal(s.requests, 40);
  assert.equal(s.failed, 0);
  assert.equal(s.connections, 4);
  assert.equal(s.bytes, 40 * responseBytes);
  await Deno.remove(root, { recursive: true });
});

Deno.test("thor against a real spidey: 404s are responses, HEAD has no body", async () => {
  const root = await makeDocroot({ "a.txt": "abc" });
  await using spidey = await serveFolder(root, ["-q"]);
  const base = `http://127.0.0.1:${spidey.port}`;
  const missing = await thor(["-r", "5", "--json", `${base}/nope.txt`]);
  assert.equal(missing.code, 0, missing.stderr);
  assert.deepEqual(JSON.parse(missing.stdout).status, { "404": 5 });
  const head = await thor([
    "-m",
    "HEAD",
    "-r",
    "5",
    "--timeout",
    "5",
    "--json",
    `${base}/a.txt`,
  ]);
  assert.equal(head.code, 0, head.stderr);
  const s = JSON.parse(head.stdout);
  assert.deepEqual(s.status, { "200": 5 });
  assert.equal(s.connections, 1);
  await Deno.remove(root, { recursive: true });
});
