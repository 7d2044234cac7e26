import assert from "node:assert/strict";
import { Destination } from "../lib/thor/destination.ts";
import { parseTargetUrl } from "../lib/thor/target_url.ts";

async function resolved(url: string): Promise<Destination> {
  const d = new Destination(parseTargetUrl(url));
  await d.resolve(5000);
  return d;
}

Deno.test("IP literals and localhost need no lookup", async () => {
  assert.equal((await resolved("10.1.2.3")).address, "10.1.2.3");
  assert.equal((await resolved("http://[::1]:81/")).address, "::1");
  assert.equal((await resolved("localhost:9")).address, "127.0.0.1");
  assert.equal((await resolved("app.localhost")).address, "127.0.0.1");
});

Deno.test("a name DNS cannot answer is left to the first connect, then pinned", async () => {
  const d = await resolved("no-such-host.invalid");
  assert.equal(d.address, null);
  assert.equal(d.connectTarget().hostname, "no-such-host.invalid");
  d.pin({ hostname: "192.0.2.7" });
  d.pin({ hostname: "192.0.2.8" });
  assert.equal(d.address, "192.0.2.7");
  assert.deepEqual(d.connectTarget(), {
    hostname: "192.0.2.7",
    port: 80,
    tls: false,
    serverName: "no-such-host.invalid",
  });
});

Deno.test("https keeps the URL's host for the certificate check", async () => {
  const d = await resolved("https://127.0.0.1:8443/");
  assert.deepEqual(d.connectTarget(), {
    hostname: "127.0.0.1",
    port: 8443,
    tls: true,
    serverName: "127.0.0.1",
  });
});
