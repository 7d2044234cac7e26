import assert from "node:assert/strict";
import { get, rawRequest } from "./helpers/raw_http.ts";
import {
  makeDocroot,
  serveFolder,
  startSpidey,
} from "./helpers/spidey_process.ts";

Deno.test("spidey serves a file from a real process on a free port", async () => {
  const root = await makeDocroot({ "hello.txt": "hello\n" });
  await using spidey = await serveFolder(root);
  const res = await rawRequest(spidey.port, get("/hello.txt"));
  assert.equal(res.status, 200);
  assert.equal(res.text, "hello\n");
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
});

Deno.test("spidey --bundled serves the bundled site from any working directory", async () => {
  const elsewhere = await Deno.makeTempDir({ prefix: "spidey-cwd-" });
  try {
    await using spidey = await startSpidey(
      ["-p", "0", "--bundled", "-f", "-q"],
      {
        cwd: elsewhere,
      },
    );
    const res = await rawRequest(spidey.port, get("/"));
    assert.equal(res.status, 200);
    assert.match(res.text, /spidey/i);
    const listing = await rawRequest(spidey.port, get("/images/"));
    assert.equal(listing.status, 200);
    assert.match(listing.text, /spider-web\.png/);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
});
