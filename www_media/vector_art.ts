/**
 * The SVG pictures of the bundled site, written as text and laid out by
 * `deno fmt`, which the repository's CI holds every SVG under `www/` to.
 *
 * @module
 */

import { spiderSvg } from "../lib/common/spider_art.ts";
import { MediaEncodeError } from "./media_error.ts";
import { createSeededRandom } from "../lib/common/seeded_random.ts";

/** Rounds to two decimals so the SVG stays short and stable. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** spidey the mascot, the same drawing its error pages carry. */
export function spideySvg(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${spiderSvg(200)}\n`;
}

/**
 * An orb web as vector paths that follows the viewer's colour scheme:
 * dark threads on light backgrounds, silver on dark.
 */
export function webSvg(size = 240): string {
  const random = createSeededRandom(0x0eb5);
  const c = size / 2;
  const spokes = 12;
  const angles = Array.from(
    { length: spokes },
    (_, k) => (k / spokes) * Math.PI * 2 + (random() - 0.5) * 0.2,
  );
  const spokePaths = angles.map((a) =>
    `M${n(c)} ${n(c)}L${n(c + Math.cos(a) * c * 0.98)} ${
      n(c + Math.sin(a) * c * 0.98)
    }`
  ).join("");
  const rings: string[] = [];
  const turns = 8;
  for (let i = 0; i <= turns * spokes; i++) {
    const r = c * (0.08 + (0.8 * i) / (turns * spokes));
    const a = angles[i % spokes]!;
    rings.push(
      `${i === 0 ? "M" : "L"}${n(c + Math.cos(a) * r)} ${
        n(c + Math.sin(a) * r)
      }`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="An orb web">
<style>
path{fill:none;stroke:#4b3f72;stroke-linejoin:round}
@media (prefers-color-scheme:dark){path{stroke:#d8dcf0}}
</style>
<path stroke-width="1.4" d="${spokePaths}"/>
<path stroke-width="1" d="${rings.join("")}"/>
</svg>
`;
}

const REPO_DIR = decodeURIComponent(new URL("..", import.meta.url).pathname);

/**
 * `svg` as `deno fmt` lays it out, with the repository's settings, so that
 * the generated files pass `deno fmt --check` as written. Needs to run
 * under the `deno` executable (`deno run`), which it spawns.
 */
export async function formatSvg(svg: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "svg", "-"],
    cwd: REPO_DIR,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(svg));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    const reason = new TextDecoder().decode(stderr).trim().split("\n")[0];
    throw new MediaEncodeError(
      "SVG_FORMAT_FAILED",
      `Formatting an SVG with deno fmt failed: ${reason}`,
    );
  }
  return new TextDecoder().decode(stdout);
}
