import { exitStatusOf, needsChecksOff } from "../lib/thor/insecure.ts";
import { parseTargetUrl as parseTargetUrlK } from "../lib/thor/target_url.ts";
/** thor's TLS options: -k, --cacert, --sni, and how they reach a connection. */

import assert from "node:assert/strict";
import { UsageError } from "../lib/common/flags.ts";
import { ConnectError } from "../lib/thor/client_connection.ts";
import { Destination } from "../lib/thor/destination.ts";
import { IGNORE_FLAG, withChecksOff } from "../lib/thor/insecure.ts";
import { parseThorArgs, type ThorOptions } from "../lib/thor/options.ts";
import { decodeChildOptions, encodeChildOptions } from "../lib/thor/child.ts";
import { generateLocalhostPair } from "../lib/server/tls/generate.ts";

function options(args: string[]): ThorOptions {
  const command = parseThorArgs(args);
  assert.equal(command.kind, "run");
  return command.options;
}

Deno.test("thor TLS flags default to checking against the system roots", () => {
  const o = options(["https://example.com/"]);
  assert.equal(o.insecure, false);
  assert.equal(o.caCerts, null);
  assert.equal(o.sni, null);
  assert.equal(options(["-k", "https://x/"]).insecure, true);
  assert.equal(options(["--insecure", "https://x/"]).insecure, true);
});

Deno.test("thor --cacert reads the PEM file and refuses others", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pair = await generateLocalhostPair();
    await Deno.writeTextFile(`${dir}/ca.pem`, pair.cert);
    await Deno.writeTextFile(`${dir}/key.pem`, pair.key);
    assert.equal(
      options(["--cacert", `${dir}/ca.pem`, "https://x/"]).caCerts,
      pair.cert,
    );
    assert.throws(
      () => parseThorArgs(["--cacert", `${dir}/key.pem`, "https://x/"]),
      new UsageError(`CA file ${dir}/key.pem holds no PEM certificate`),
    );
    assert.throws(
      () => parseThorArgs(["--cacert", `${dir}/none.pem`, "https://x/"]),
      (err) =>
        err instanceof UsageError &&
        err.message.startsWith(`Cannot read CA file ${dir}/none.pem: `),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("thor --sni takes a host name only", () => {
  assert.equal(options(["--sni", "a.example", "https://x/"]).sni, "a.example");
  assert.throws(
    () => parseThorArgs(["--sni", "a b", "https://x/"]),
    new UsageError('SNI name "a b" is not a host name'),
  );
});

Deno.test("the TLS options reach the connect target and -p children", () => {
  const o = options(["--sni", "name.test", "https://127.0.0.1:8443/"]);
  const plain = new Destination(o.url).connectTarget();
  assert.equal(plain.serverName, "127.0.0.1");
  assert.equal(plain.caCerts, undefined);
  const pem = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
  const target = new Destination(o.url, { caCerts: pem, sni: o.sni })
    .connectTarget();
  assert.equal(target.serverName, "name.test");
  assert.deepEqual(target.caCerts, [pem]);
  const carried = decodeChildOptions(
    JSON.parse(encodeChildOptions({ ...o, insecure: true, caCerts: pem })),
  );
  assert.equal(carried.insecure, true);
  assert.equal(carried.caCerts, pem);
  assert.equal(carried.sni, "name.test");
});

Deno.test("an untrusted certificate's error says what to do", () => {
  const err = new ConnectError(
    "tls",
    new Error("invalid peer certificate: UnknownIssuer"),
  );
  assert.equal(
    err.message,
    "invalid peer certificate: UnknownIssuer (the server's certificate is not trusted: use --cacert FILE or -k)",
  );
  assert.equal(err.code, "TLS_FAILED");
  const other = new ConnectError("tls", new Error("peer closed connection"));
  assert.equal(other.message, "peer closed connection");
});

Deno.test("-k runs deno with certificate checks off", () => {
  assert.deepEqual(
    withChecksOff({ command: "deno", args: ["run", "-A", "thor.ts", "-k"] }),
    { command: "deno", args: ["run", IGNORE_FLAG, "-A", "thor.ts", "-k"] },
  );
  // A compiled binary takes no runtime flags: left as it is.
  const compiled = { command: "/bin/thor", args: ["-k", "https://x/"] };
  assert.deepEqual(withChecksOff(compiled), compiled);
});

Deno.test("-k wrapper: a signal ends it with 128 + the signal's number", () => {
  assert.equal(exitStatusOf({ code: 0, signal: null }), 0);
  assert.equal(exitStatusOf({ code: 1, signal: null }), 1);
  assert.equal(exitStatusOf({ code: 130, signal: "SIGINT" }), 130);
  assert.equal(exitStatusOf({ code: 143, signal: "SIGTERM" }), 143);
  assert.equal(exitStatusOf({ code: 137, signal: "SIGKILL" }), 137);
});

Deno.test("-k re-runs thor only when some target is https", () => {
  assert.equal(needsChecksOff([parseTargetUrlK("http://127.0.0.1:1/")]), false);
  assert.equal(
    needsChecksOff([
      parseTargetUrlK("http://127.0.0.1:1/"),
      parseTargetUrlK("https://127.0.0.1:1/"),
    ]),
    true,
  );
});
