/**
 * Request-head parsing: spidey's strict parser against a naive split-based
 * one that checks nothing (the floor any parser pays), in one run so the
 * report is a ratio, not an absolute time.
 *
 * @module
 */

import { parseRequestHead } from "../lib/http/request_head.ts";
import { parseRequestTarget } from "../lib/http/request_target.ts";

const head = new TextEncoder().encode(
  "GET /images/spider-web.png?size=small HTTP/1.1\r\n" +
    "Host: localhost:9234\r\n" +
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n" +
    "Accept: image/avif,image/webp,*/*;q=0.8\r\n" +
    "Accept-Encoding: gzip, deflate, br\r\n" +
    "Accept-Language: en-US,en;q=0.5\r\n" +
    "Connection: keep-alive\r\n" +
    "Referer: http://localhost:9234/images/\r\n\r\n",
);
const decoder = new TextDecoder();
// What wrk and most load generators send: the request line and a Host.
const minimal = new TextEncoder().encode(
  "GET /1k.txt HTTP/1.1\r\nHost: 127.0.0.1:9234\r\n\r\n",
);

/** The floor: split into lines and fields, check nothing. */
function naiveParse(bytes: Uint8Array): void {
  const lines = decoder.decode(bytes).split("\r\n");
  const [method, target, version] = lines[0]!.split(" ");
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length && lines[i] !== ""; i++) {
    const line = lines[i]!;
    const c = line.indexOf(":");
    headers.set(line.slice(0, c).toLowerCase(), line.slice(c + 1).trim());
  }
  if (!method || !target || !version) throw new Error("unreachable");
}

/** spidey's parse of a head and its target. */
function strictParse(bytes: Uint8Array): void {
  const parsed = parseRequestHead(bytes);
  parseRequestTarget(parsed.target, parsed.method);
}

for (
  const [group, bytes] of [["request head", head], [
    "minimal head",
    minimal,
  ]] as const
) {
  Deno.bench(`naive split parser (no validation), ${group}`, {
    group,
    baseline: true,
  }, () => naiveParse(bytes));
  Deno.bench(`parseRequestHead + parseRequestTarget, ${group}`, {
    group,
  }, () => strictParse(bytes));
}
