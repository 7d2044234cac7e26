/**
 * The `Expect: 100-continue` handshake from the client's side, over raw
 * TCP, for tests of how spidey answers it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { concat, parseResponses, type RawResponse } from "./raw_http.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends `head` (a request head asking `Expect: 100-continue`) on a new
 * connection to `127.0.0.1:port`, asserts that exactly
 * `HTTP/1.1 100 Continue` comes back before anything else, then sends
 * `body` and reads until the server closes; resolves to the final
 * response, parsed.
 */
export async function sendBodyAfterContinue(
  port: number,
  head: string,
  body: string,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(head));
    const buf = new Uint8Array(65536);
    let text = "";
    while (!text.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      assert.notEqual(n, null, "closed before 100 Continue");
      text += decoder.decode(buf.subarray(0, n!));
    }
    assert.equal(text, "HTTP/1.1 100 Continue\r\n\r\n");
    await conn.write(encoder.encode(body));
    const rest: Uint8Array[] = [];
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      rest.push(buf.slice(0, n));
    }
    const [final] = parseResponses(concat(rest));
    assert.ok(final !== undefined, "a final response after the body");
    return final;
  } finally {
    conn.close();
  }
}
