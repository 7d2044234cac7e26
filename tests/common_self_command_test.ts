import assert from "node:assert/strict";
import {
  currentRuntimeFacts,
  type RuntimeFacts,
  selfCommand,
} from "../lib/common/self_command.ts";

const underDeno: RuntimeFacts = {
  standalone: false,
  execPath: "/usr/bin/deno",
  mainModule: "file:///repo/thor.ts",
  configPath: "/repo/deno.json",
  permissionFlags: ["--allow-read", "--allow-net"],
};

Deno.test("under deno run: run, quiet, permissions, config, script, then the program's args", () => {
  assert.deepEqual(selfCommand(underDeno, ["--child", "-r", "5", "x"]), {
    command: "/usr/bin/deno",
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-net",
      "--config",
      "/repo/deno.json",
      "file:///repo/thor.ts",
      "--child",
      "-r",
      "5",
      "x",
    ],
  });
});

Deno.test("under deno run without a config the net APIs are still unlocked", () => {
  const line = selfCommand({ ...underDeno, configPath: null }, ["a"]);
  assert.deepEqual(line.args, [
    "run",
    "--quiet",
    "--allow-read",
    "--allow-net",
    "--unstable-net",
    "file:///repo/thor.ts",
    "a",
  ]);
});

Deno.test("a compiled binary runs itself with the program's args only", () => {
  const line = selfCommand({
    standalone: true,
    execPath: "/opt/bin/thor",
    mainModule: "file:///tmp/deno-compile-thor/thor.ts",
    configPath: null,
    permissionFlags: [],
  }, ["--child", "-c", "2", "http://x/"]);
  assert.deepEqual(line, {
    command: "/opt/bin/thor",
    args: ["--child", "-c", "2", "http://x/"],
  });
});

Deno.test("the program's args are copied, not shared", () => {
  const args = ["x"];
  const line = selfCommand(underDeno, args);
  args.push("y");
  assert.equal(line.args.at(-1), "x");
});

Deno.test("this test process's facts: deno run, all permissions, the repo config", () => {
  const facts = currentRuntimeFacts();
  assert.equal(facts.standalone, false);
  assert.equal(facts.execPath, Deno.execPath());
  assert.equal(facts.mainModule, Deno.mainModule);
  // deno test -A grants everything.
  for (const name of ["read", "write", "net", "env", "run", "sys", "ffi"]) {
    assert.ok(facts.permissionFlags.includes(`--allow-${name}`), name);
  }
});
