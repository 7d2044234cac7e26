/**
 * `StaticFileServer` in this process, writing through the real
 * `ConnResponseWriter` into a byte sink, for what a remote client cannot
 * arrange or observe: the number of writes, descriptors left open, a file
 * that vanishes or shrinks between `stat` and read, the racy-mtime guard.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { HeaderMap } from "../lib/http/header_fields.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import { RequestBody } from "../lib/server/core/request_body.ts";
import { ConnResponseWriter } from "../lib/server/core/response_writer.ts";
import {
  FileChangedError,
  type StaticFile,
  StaticFileServer,
} from "../lib/server/static/static_file.ts";
import {
  concat,
  parseResponses,
  type RawResponse,
} from "./helpers/raw_http.ts";
import { descriptorsOpenOn } from "./helpers/static_files.ts";

/** Collects what the writer sends; `onWrite` may fail or meddle. */
class MemorySink {
  writes: Uint8Array[] = [];
  onWrite: (index: number) => void = () => {};

  write(p: Uint8Array): Promise<number> {
    this.onWrite(this.writes.length);
    this.writes.push(p.slice());
    return Promise.resolve(p.length);
  }

  get bytes(): Uint8Array {
    return concat(this.writes);
  }
}

function requestOf(
  method: string,
  fields: Record<string, string> = {},
): HttpRequest {
  const headers: HeaderMap = new Map(Object.entries(fields));
  return {
    method,
    target: "/file",
    version: "HTTP/1.1",
    headers,
    path: "/file",
    rawPath: "/file",
    query: "",
    host: "localhost",
    remoteAddr: "127.0.0.1",
    remotePort: 40000,
    localPort: 8080,
    body: RequestBody.none(),
    progress: () => {},
    peer: "127.0.0.1:40000",
  };
}

async function serve(
  server: StaticFileServer,
  file: StaticFile,
  method = "GET",
  fields: Record<string, string> = {},
  sink = new MemorySink(),
): Promise<{ res: RawResponse; writes: number }> {
  const writer = new ConnResponseWriter(sink, {
    method,
    version: "HTTP/1.1",
    keepAlive: false,
  });
  await server.serve(requestOf(method, fields), writer, file);
  const [res] = parseResponses(sink.bytes, [method]);
  assert.ok(res, "a response was written");
  return { res, writes: sink.writes.length };
}

function fileAt(fsPath: string): StaticFile {
  return { fsPath, info: Deno.statSync(fsPath) };
}

const OLD = new Date(Date.UTC(2020, 0, 1));
const OLDER = new Date(Date.UTC(2019, 0, 1));

Deno.test("a small response, whole or ranged, is one write", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/k1.bin`, new Uint8Array(1024).fill(1));
    Deno.writeFileSync(`${dir}/k100.bin`, new Uint8Array(100_000).fill(2));
    const server = new StaticFileServer();
    for (const name of ["k1.bin", "k100.bin"]) {
      const file = fileAt(`${dir}/${name}`);
      const whole = await serve(server, file);
      assert.equal(whole.res.status, 200);
      assert.equal(whole.writes, 1, `${name}: head and body in one write`);
      const ranged = await serve(server, file, "GET", { range: "bytes=10-19" });
      assert.equal(ranged.res.status, 206);
      assert.equal(ranged.res.body.length, 10);
      assert.equal(ranged.writes, 1);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a larger body read in one piece goes out in a write of its own", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    Deno.writeFileSync(`${dir}/k300.bin`, bytes);
    const server = new StaticFileServer();
    const whole = await serve(server, fileAt(`${dir}/k300.bin`));
    assert.equal(whole.res.status, 200);
    assert.equal(whole.writes, 2, "the head, then the body");
    assert.deepEqual(whole.res.body, bytes);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HEAD never opens the file; GET of a vanished file is 404", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/gone.txt`;
    Deno.writeTextFileSync(path, "here for a moment\n");
    const file = fileAt(path);
    Deno.removeSync(path);
    const server = new StaticFileServer();
    const head = await serve(server, file, "HEAD");
    assert.equal(head.res.status, 200);
    assert.equal(head.res.headers.get("content-length"), "18");
    const get = await serve(server, file);
    assert.equal(get.res.status, 404);
    assert.match(get.res.text, /404/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a settled small file is served from the cache until its stat changes", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/a.txt`;
    Deno.writeTextFileSync(path, "AAAA");
    Deno.utimeSync(path, OLD, OLD);
    // No racy window: the file counts as settled at once.
    const server = new StaticFileServer({ racyWindowMs: 0 });
    const before = fileAt(path);
    assert.equal((await serve(server, before)).res.text, "AAAA");
    assert.equal(server.cachedFiles, 1);
    // Gone from disk, yet the same stat is answered from memory.
    Deno.removeSync(path);
    assert.equal((await serve(server, before)).res.text, "AAAA");
    // A new version of the same size, even with an old mtime, is read anew.
    Deno.writeTextFileSync(path, "BBBB");
    Deno.utimeSync(path, OLDER, OLDER);
    assert.equal((await serve(server, fileAt(path))).res.text, "BBBB");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a just-changed file is never cached, so a same-stat rewrite shows", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/a.txt`;
    Deno.writeTextFileSync(path, "AAAA");
    Deno.utimeSync(path, OLD, OLD);
    const server = new StaticFileServer();
    const first = await serve(server, fileAt(path));
    assert.equal(first.res.text, "AAAA");
    assert.match(first.res.headers.get("etag") ?? "", /^W\//);
    assert.equal(server.cachedFiles, 0);
    // Same size, same mtime, same inode, ctime in the same second: only
    // the contents tell this version apart.
    Deno.writeTextFileSync(path, "BBBB");
    Deno.utimeSync(path, OLD, OLD);
    assert.equal((await serve(server, fileAt(path))).res.text, "BBBB");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a client that vanishes mid-stream leaves no descriptor open", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/big.bin`;
    Deno.writeFileSync(path, new Uint8Array(4 * 1024 * 1024).fill(7));
    const server = new StaticFileServer();
    const file = fileAt(path);
    for (let i = 0; i < 5; i++) {
      const sink = new MemorySink();
      sink.onWrite = (index) => {
        if (index === 3) throw new Deno.errors.BrokenPipe("Broken pipe");
      };
      await assert.rejects(
        serve(server, file, "GET", {}, sink),
        Deno.errors.BrokenPipe,
      );
      assert.equal(sink.writes.length, 3, "streaming stopped at the failure");
    }
    // Null where there is no /proc: then only the rejections are checked.
    assert.equal(descriptorsOpenOn(path) ?? 0, 0, "every file was closed");
    // The server carries on.
    const after = await serve(server, file);
    assert.equal(after.res.body.length, 4 * 1024 * 1024);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a file that shrinks while streaming fails instead of hanging", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/shrinking.bin`;
    // Several pieces long, so reads are still due when it is cut.
    Deno.writeFileSync(path, new Uint8Array(8 * 1024 * 1024).fill(3));
    const server = new StaticFileServer();
    const file = fileAt(path);
    const sink = new MemorySink();
    sink.onWrite = (index) => {
      if (index === 1) Deno.truncateSync(path, 0);
    };
    await assert.rejects(
      serve(server, file, "GET", {}, sink),
      (err: unknown) =>
        err instanceof FileChangedError && err.code === "FILE_CHANGED",
    );
    assert.equal(descriptorsOpenOn(path) ?? 0, 0, "the file was closed");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a large file streams in bounded chunks with the right bytes", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/big.bin`;
    const content = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff;
    Deno.writeFileSync(path, content);
    const server = new StaticFileServer({ chunkBytes: 64 * 1024 });
    const sink = new MemorySink();
    const { res } = await serve(server, fileAt(path), "GET", {}, sink);
    assert.deepEqual(res.body, content);
    assert.ok(sink.writes.every((w) => w.length <= 64 * 1024 + 1024));
    const ranged = await serve(server, fileAt(path), "GET", {
      range: "bytes=100000-",
    });
    assert.equal(ranged.res.status, 206);
    assert.deepEqual(ranged.res.body, content.subarray(100_000));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a file replaced since it was resolved is sent as it is now", async () => {
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    const path = `${dir}/a.bin`;
    Deno.writeFileSync(path, new Uint8Array(100_000).fill(1));
    const resolved = fileAt(path);
    Deno.writeFileSync(`${dir}/a.new`, new Uint8Array(90_000).fill(2));
    Deno.renameSync(`${dir}/a.new`, path);
    const server = new StaticFileServer({ root: dir });
    const { res } = await serve(server, resolved);
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 90_000);
    assert.ok(res.body.every((b) => b === 2));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a path that leads out of the root by now is refused", async () => {
  const base = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    const root = `${base}/www`;
    Deno.mkdirSync(root);
    Deno.writeTextFileSync(`${root}/real.txt`, "inside");
    Deno.writeTextFileSync(`${base}/secret.txt`, "SECRET");
    Deno.symlinkSync(`${root}/real.txt`, `${root}/link.txt`);
    const resolved: StaticFile = {
      fsPath: `${root}/link.txt`,
      realPath: `${root}/real.txt`,
      info: Deno.statSync(`${root}/real.txt`),
    };
    const server = new StaticFileServer({ root, racyWindowMs: 0 });
    // The checked real path is what is read, whatever the link says now.
    Deno.removeSync(`${root}/link.txt`);
    Deno.symlinkSync(`${base}/secret.txt`, `${root}/link.txt`);
    assert.equal(
      (await serve(server, resolved, "GET", { range: "bytes=0-5" })).res.text,
      "inside",
    );
    // Once that file is gone, the link is checked anew, and leads out.
    Deno.removeSync(`${root}/real.txt`);
    const server2 = new StaticFileServer({ root });
    const { res } = await serve(server2, resolved);
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.text, /SECRET/);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});

Deno.test("streams share a bounded buffer budget and still deliver", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/big.bin`;
    const content = new Uint8Array(2 * 1024 * 1024 + 5);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff;
    Deno.writeFileSync(path, content);
    const server = new StaticFileServer({
      chunkBytes: 256 * 1024,
      bufferBudgetBytes: 512 * 1024,
    });
    const file = fileAt(path);
    // Eight at once need 4 MiB of pieces at full size: they must make do.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => serve(server, file)),
    );
    for (const { res } of results) assert.deepEqual(res.body, content);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
