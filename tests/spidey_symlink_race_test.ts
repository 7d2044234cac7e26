/**
 * Docroot confinement under races, against a real spidey: a separate
 * process swaps symlinks inside the root (to a file, a directory, a large
 * file and a CGI script) between an inside and an outside target as fast
 * as it can, while raw-TCP clients request them. Not one response may
 * carry outside bytes or outside names, no outside script may run, and
 * once the links rest inside, the inside content is what is served.
 */

import assert from "node:assert/strict";
import {
  concat,
  get,
  parseResponses,
  rawExchange,
} from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

const SWAP_MS = 3000;
const BIG = 200_000;
const INSIDE_BYTE = 0x49; // "I"

/** The swapper: alternates every link until `ms` pass, then rests inside. */
const SWAPPER = `
const [base, ms] = [Deno.args[0], Number(Deno.args[1])];
const links = JSON.parse(Deno.args[2]);
const end = Date.now() + ms;
let swaps = 0;
function point(name, target) {
  const tmp = base + "/swap-" + name;
  Deno.symlinkSync(target, tmp);
  Deno.renameSync(tmp, base + "/www/" + name);
}
while (Date.now() < end) {
  for (const [name, inside, outside] of links) {
    point(name, swaps % 2 === 0 ? outside : inside);
  }
  swaps++;
}
for (const [name, inside] of links) point(name, inside);
console.log(swaps);
`;

const decoder = new TextDecoder();

/** Length of the first whole response in `bytes`, or null while partial. */
function wholeResponseLength(bytes: Uint8Array): number | null {
  const text = decoder.decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const headEnd = text.indexOf("\r\n\r\n");
  if (headEnd < 0) return null;
  const head = text.slice(0, headEnd).toLowerCase();
  const start = headEnd + 4; // the head is ASCII: chars are bytes
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return bytes.length >= end ? end : null;
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    const rest = decoder.decode(bytes.subarray(start));
    const last = rest.indexOf("\r\n0\r\n\r\n");
    if (rest.startsWith("0\r\n\r\n")) return start + 5;
    return last < 0 ? null : start + last + 7;
  }
  return /^http\/1\.1 (204|304)/.test(head) ? start : null;
}

/** Requests one target after another over one keep-alive connection. */
class KeepAliveClient {
  #port: number;
  #conn: Deno.TcpConn | null = null;
  #pending: Uint8Array = new Uint8Array(0);
  #buf = new Uint8Array(256 * 1024);

  constructor(port: number) {
    this.#port = port;
  }

  /** The bytes of the answer to GET `target` (partial if the server hung up). */
  async get(target: string): Promise<Uint8Array> {
    this.#conn ??= await Deno.connect({
      hostname: "127.0.0.1",
      port: this.#port,
    });
    const conn = this.#conn;
    await conn.write(
      new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    const parts = [this.#pending];
    let have = concat(parts);
    for (;;) {
      const whole = wholeResponseLength(have);
      if (whole !== null) {
        this.#pending = have.slice(whole);
        return have.subarray(0, whole);
      }
      let n: number | null = null;
      try {
        n = await conn.read(this.#buf);
      } catch {
        n = null;
      }
      if (n === null) {
        this.close();
        return have;
      }
      have = concat([have, this.#buf.slice(0, n)]);
    }
  }

  close(): void {
    try {
      this.#conn?.close();
    } catch { /* closed */ }
    this.#conn = null;
    this.#pending = new Uint8Array(0);
  }
}

interface Tally {
  ok: number;
  refused: number;
  other: number;
  leaks: string[];
}

Deno.test("spidey serves nothing from outside while symlinks are swapped", async () => {
  const base = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-race-" }),
  );
  const www = `${base}/www`;
  const marker = `${base}/outside-ran`;
  try {
    await Deno.mkdir(`${www}/in`, { recursive: true });
    await Deno.mkdir(`${base}/outside`);
    await Deno.writeTextFile(`${www}/in/inside.txt`, "INSIDE-FILE\n");
    await Deno.writeTextFile(`${www}/in/same.txt`, "INSIDE-SAME\n");
    await Deno.writeTextFile(`${www}/in/inside-name.txt`, "x");
    await Deno.writeFile(
      `${www}/in/big.bin`,
      new Uint8Array(BIG).fill(INSIDE_BYTE),
    );
    await Deno.writeTextFile(`${base}/outside/secret.txt`, "OUTSIDE-SECRET\n");
    await Deno.writeTextFile(`${base}/outside/same.txt`, "OUTSIDE-SAME\n");
    await Deno.writeTextFile(
      `${base}/outside/outside-name.txt`,
      "OUTSIDE-SECRET",
    );
    await Deno.writeFile(
      `${base}/outside/big.bin`,
      new Uint8Array(BIG).fill(0x4f),
    );
    const cgi = (text: string, extra = "") =>
      `#!/bin/sh\n${extra}printf 'Content-Type: text/plain\\r\\n\\r\\n${text}\\n'\n`;
    await Deno.writeTextFile(`${www}/inside.cgi`, cgi("INSIDE-CGI"));
    await Deno.writeTextFile(
      `${base}/outside/outside.cgi`,
      cgi("OUTSIDE-CGI", `echo ran >> '${marker}'\n`),
    );
    await Deno.chmod(`${www}/inside.cgi`, 0o755);
    await Deno.chmod(`${base}/outside/outside.cgi`, 0o755);
    const links: [string, string, string][] = [
      ["file-link", `${www}/in/inside.txt`, `${base}/outside/secret.txt`],
      ["dir-link", `${www}/in`, `${base}/outside`],
      ["big-link", `${www}/in/big.bin`, `${base}/outside/big.bin`],
      ["cgi-link", `${www}/inside.cgi`, `${base}/outside/outside.cgi`],
    ];
    for (const [name, inside] of links) {
      await Deno.symlink(inside, `${www}/${name}`);
    }

    await using spidey = await serveFolder(www, ["-q"]);
    const port = spidey.port;
    const targets = [
      "/file-link",
      "/dir-link/",
      "/dir-link/same.txt",
      "/big-link",
      "/cgi-link",
    ];
    const tallies = new Map<string, Tally>(
      targets.map((t) => [t, { ok: 0, refused: 0, other: 0, leaks: [] }]),
    );

    /** Checks one answer to `target`; returns its body text when 200. */
    const check = (target: string, bytes: Uint8Array): string | null => {
      const tally = tallies.get(target)!;
      let res;
      try {
        res = parseResponses(bytes)[0];
      } catch {
        res = undefined; // cut short (a file changed mid-send): no answer
      }
      const text = new TextDecoder().decode(bytes);
      if (/OUTSIDE|outside-name/.test(text)) {
        tally.leaks.push(text.slice(0, 200));
      }
      if (res === undefined) {
        tally.other++;
        return null;
      }
      if (res.status === 200) {
        tally.ok++;
        if (target === "/big-link" && res.body.some((b) => b !== INSIDE_BYTE)) {
          tally.leaks.push(`big-link body with foreign bytes`);
        }
        return res.text;
      }
      if (res.status === 403 || res.status === 404) tally.refused++;
      else tally.other++;
      return null;
    };

    const swapper = new Deno.Command(Deno.execPath(), {
      args: ["eval", SWAPPER, base, String(SWAP_MS), JSON.stringify(links)],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let swapping = true;
    const swapped = swapper.output().finally(() => swapping = false);

    // One client per target, so slow CGI answers hold back no other.
    const client = async (target: string) => {
      const http = new KeepAliveClient(port);
      try {
        while (swapping) check(target, await http.get(target));
      } finally {
        http.close();
      }
    };
    await Promise.all(targets.map(client));
    const out = await swapped;
    assert.ok(out.success, "the swapper ran to its end");
    const swaps = Number(new TextDecoder().decode(out.stdout).trim());

    for (const [target, tally] of tallies) {
      assert.deepEqual(tally.leaks, [], `${target} leaked`);
    }
    let markerText = "";
    try {
      markerText = await Deno.readTextFile(marker);
    } catch {
      // Never ran: the file was never made.
    }
    assert.equal(markerText, "", "an outside script ran");

    // The race really ran: each link was seen both ways.
    assert.ok(swaps > 100, `only ${swaps} swaps`);
    for (const [target, tally] of tallies) {
      assert.ok(
        tally.ok > 0,
        `${target} was never served: ${JSON.stringify(tally)}`,
      );
      assert.ok(
        tally.refused > 0,
        `${target} was never refused: ${JSON.stringify(tally)}`,
      );
    }

    // At rest inside: served fresh as soon as the last events arrive.
    const expected: Record<string, (text: string) => boolean> = {
      "/file-link": (t) => t === "INSIDE-FILE\n",
      "/dir-link/": (t) => t.includes("inside-name.txt"),
      "/dir-link/same.txt": (t) => t === "INSIDE-SAME\n",
      "/big-link": (t) => t.length === BIG,
      "/cgi-link": (t) => t === "INSIDE-CGI\n",
    };
    for (const target of targets) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const text = check(target, await rawExchange(port, get(target)));
        if (text !== null && expected[target]!(text)) break;
        assert.ok(Date.now() < deadline, `${target} still stale: ${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(tallies.get(target)!.leaks, [], `${target} leaked`);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
