/**
 * The three CGI scripts in www/cgi-bin run with least privilege: their
 * first lines grant the data folder they use and the meta-variables the
 * code reads, nothing more, fit the kernel's shebang limit, and load
 * only local files (so `--no-config` is safe and start-up stays short).
 */

import assert from "node:assert/strict";
import { REPO_DIR } from "./helpers/spidey_process.ts";

const SCRIPTS = ["guestbook", "quiz", "survey"];
// Linux reads at most 256 bytes of a `#!` line (BINPRM_BUF_SIZE).
const SHEBANG_LIMIT = 255;

/** Meta-variable names the application code reads through `env("…")`. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const entry of Deno.readDirSync(`${REPO_DIR}/lib/cgi_apps`)) {
    const text = Deno.readTextFileSync(
      `${REPO_DIR}/lib/cgi_apps/${entry.name}`,
    );
    for (const m of text.matchAll(/\benv\("([A-Z_]+)"\)/g)) names.add(m[1]!);
  }
  return names;
}

for (const name of SCRIPTS) {
  Deno.test(`www/cgi-bin/${name} asks for no more than it needs`, async () => {
    const path = `${REPO_DIR}/www/cgi-bin/${name}`;
    assert.ok((Deno.statSync(path).mode! & 0o111) !== 0, "executable");
    const text = Deno.readTextFileSync(path);
    const shebang = text.slice(0, text.indexOf("\n"));
    assert.ok(shebang.length <= SHEBANG_LIMIT, `${shebang.length} bytes`);
    const words = shebang.split(" ");
    assert.deepEqual(words.slice(0, 4), [
      "#!/usr/bin/env",
      "-S",
      "deno",
      "run",
    ]);
    const flags = words.slice(4);
    for (const needed of ["--no-config", "--no-lock"]) {
      assert.ok(flags.includes(needed), needed);
    }
    const dataDir = /dataDir: "([^"]+)"/.exec(text)?.[1];
    assert.ok(dataDir !== undefined, "names its data folder");
    const granted = flags.filter((f) =>
      !["-q", "--no-config", "--no-lock"].includes(f)
    );
    const listed = granted.find((f) => f.startsWith("-E="));
    assert.ok(listed !== undefined, "grants the meta-variables");
    assert.deepEqual(
      granted.sort(),
      [listed, `-R=${dataDir}`, `-W=${dataDir}`].sort(),
      "only the data folder and the variables read",
    );
    assert.deepEqual(new Set(listed.slice(3).split(",")), variablesRead());

    const info = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--no-config", "--no-lock", "--json", path],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.ok(info.success);
    const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
      modules: Array<{ specifier: string; error?: string }>;
    };
    for (const m of graph.modules) {
      assert.ok(m.specifier.startsWith("file:///"), m.specifier);
      assert.equal(m.error, undefined, m.specifier);
      assert.ok(
        !m.specifier.includes("/www/cgi-bin/lib"),
        "code outside the docroot",
      );
    }
    assert.ok(graph.modules.length <= 20, `${graph.modules.length} modules`);
  });
}
