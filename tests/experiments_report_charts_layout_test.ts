import assert from "node:assert/strict";
import { renderCharts } from "../experiments/report/charts.ts";
import { summarize } from "../experiments/data/aggregate.ts";
import { parseStudyCsv } from "../experiments/data/study_row.ts";
import { layoutProblems, textBoxes } from "../experiments/report/svg_layout.ts";

function svg(body: string): string {
  return `<svg width="200" height="100" viewBox="0 0 200 100">${body}</svg>`;
}

function text(x: number, y: number, anchor: string, words: string): string {
  return `<g transform="translate(${x},${y})" stroke="none" fill="black" font-family="sans" font-size="12.00"  text-anchor="${anchor}">\n\t\t<text>${words}</text>\n\t</g>`;
}

Deno.test("text boxes follow the anchor and the rotation", () => {
  const [end, rotated] = textBoxes(svg(
    text(100, 50, "end", "abcd") +
      `<g transform="translate(20,50) rotate(270)" font-size="10" text-anchor="middle"><text>abcdefghij</text></g>`,
  ));
  assert.ok(end!.x1 === 100 && end!.x0 < 100);
  assert.ok(rotated!.y1 - rotated!.y0 > rotated!.x1 - rotated!.x0);
});

Deno.test("text outside the picture and overlapping labels are problems", () => {
  assert.deepEqual(layoutProblems(svg(text(10, 20, "start", "fine"))), []);
  const clipped = layoutProblems(svg(text(190, 20, "start", "runs off")));
  assert.match(clipped.join(), /runs outside the picture/);
  const crowded = layoutProblems(
    svg(text(50, 50, "middle", "0.98") + text(60, 52, "middle", "0.82")),
  );
  assert.match(crowded.join(), /overlaps/);
  const line = layoutProblems(svg(`<path stroke='black' d='M10,10 L250,10'/>`));
  assert.match(line.join(), /outside the picture/);
});

Deno.test({
  name:
    "every chart of the committed study renders without clipping or overlaps",
  ignore: (() => {
    try {
      return !new Deno.Command("gnuplot", { args: ["--version"] }).outputSync()
        .success;
    } catch {
      return true;
    }
  })(),
  fn: async () => {
    const rows = parseStudyCsv(
      Deno.readTextFileSync(
        new URL("../experiments/results/study.csv", import.meta.url),
      ),
    );
    const dir = Deno.makeTempDirSync({ prefix: "charts-layout-" });
    try {
      // renderCharts itself fails on a layout problem; check again here.
      const files = await renderCharts(summarize(rows), dir, ["svg"]);
      assert.ok(files.length >= 8);
      for (const file of files) {
        assert.deepEqual(layoutProblems(Deno.readTextFileSync(file)), [], file);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
