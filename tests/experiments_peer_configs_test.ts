import assert from "node:assert/strict";
import {
  lighttpdConfig,
  nginxConfig,
  nginxReplyConfig,
} from "../experiments/measure/peer_configs.ts";

const SETUP = { port: 8123, docroot: "/srv/root", stateDir: "/tmp/state" };

function installed(program: string): boolean {
  try {
    return new Deno.Command(program, {
      args: ["-v"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/** Every absolute path the config names, but for nginx's own mime.types. */
function paths(config: string): string[] {
  return [...config.matchAll(/(?<=[\s"])\/[\w./-]+/g)]
    .map((m) => m[0])
    .filter((p) => p !== "/etc/nginx/mime.types");
}

Deno.test("nginxConfig serves the docroot with listings and keeps its files in the state folder", () => {
  const config = nginxConfig(SETUP, 2);
  assert.match(config, /^worker_processes 2;\ndaemon off;\n/);
  assert.match(config, /listen 127\.0\.0\.1:8123;/);
  assert.match(config, /root \/srv\/root;\n\s*autoindex on;/);
  assert.match(config, /access_log off;/);
  // pid, error log, five temp folders and the docroot.
  assert.equal(paths(config).length, 8);
  for (const path of paths(config)) {
    assert.ok(
      path === "/srv/root" || path.startsWith("/tmp/state/"),
      `${path} is outside the docroot and the state folder`,
    );
  }
});

Deno.test("nginxReplyConfig answers from memory with the body quoted for nginx", () => {
  const config = nginxReplyConfig(
    { port: 9000, stateDir: "/tmp/state" },
    'say "hi" \\ bye\n',
  );
  assert.match(config, /^worker_processes 1;/);
  assert.match(
    config,
    /location \/ \{ default_type text\/plain; return 200 "say \\"hi\\" \\\\ bye\\n"; \}/,
  );
  assert.doesNotMatch(config, /\broot\b|autoindex/);
  assert.throws(
    () => nginxReplyConfig({ port: 9000, stateDir: "/s" }, "$host"),
    RangeError,
  );
});

Deno.test("lighttpdConfig lists folders and runs *.cgi on loopback", () => {
  const config = lighttpdConfig(SETUP);
  assert.match(config, /^server\.document-root = "\/srv\/root"$/m);
  assert.match(config, /^server\.bind = "127\.0\.0\.1"$/m);
  assert.match(config, /^server\.port = 8123$/m);
  assert.match(config, /"mod_dirlisting", "mod_cgi"/);
  assert.match(config, /^cgi\.assign = \( "\.cgi" => "" \)$/m);
  assert.match(config, /^server\.errorlog = "\/tmp\/state\/error\.log"$/m);
});

Deno.test({
  name: "nginx runs the reply config and answers every path with the body",
  ignore: !installed("nginx"),
  async fn() {
    const stateDir = Deno.makeTempDirSync({ prefix: "experiments-peers-" });
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    const path = `${stateDir}/nginx.conf`;
    Deno.writeTextFileSync(
      path,
      nginxReplyConfig({ port, stateDir }, "hello from nginx\n"),
    );
    const child = new Deno.Command("nginx", {
      args: ["-c", path, "-e", `${stateDir}/error.log`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let body: string | null = null;
      for (let i = 0; i < 100 && body === null; i++) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/any/path`);
          body = await response.text();
          assert.equal(response.status, 200);
          assert.equal(response.headers.get("content-type"), "text/plain");
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.equal(body, "hello from nginx\n");
    } finally {
      child.kill("SIGTERM");
      await child.status;
      Deno.removeSync(stateDir, { recursive: true });
    }
  },
});
