/**
 * The canned loop's work on one connection: read, count the request ends
 * (`\r\n\r\n`) seen, carrying a partial one across reads, and write that
 * many copies of one prepared response, until the stream ends. Used by
 * `canned_loop.ts` on sockets and by `request_path_bench.ts` on an
 * in-memory connection, so that both measure the same floor.
 *
 * @module
 */

/** What the loop needs of a connection: `Deno.Conn`'s read and write. */
export interface CannedConn {
  /** Reads into `p`; resolves to the count read, or null at the end. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes from `p`; resolves to the count written. */
  write(p: Uint8Array): Promise<number>;
}

/**
 * Answers every request end read from `conn` with `response`, until the
 * stream ends. Rejects with the connection's error.
 */
export async function answerCanned(
  conn: CannedConn,
  response: Uint8Array,
): Promise<void> {
  const buf = new Uint8Array(8192);
  let matched = 0; // bytes of "\r\n\r\n" matched so far
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    let ends = 0;
    for (let i = 0; i < n; i++) {
      const b = buf[i];
      if (b === (matched % 2 === 0 ? 13 : 10)) {
        if (++matched === 4) {
          ends++;
          matched = 0;
        }
      } else matched = b === 13 ? 1 : 0;
    }
    for (let k = 0; k < ends; k++) {
      let off = 0;
      while (off < response.length) {
        off += await conn.write(response.subarray(off));
      }
    }
  }
}
