import assert from "node:assert/strict";
import {
  barChartFiles,
  gnuplotString,
  lineChartFiles,
} from "../experiments/report/chart_scripts.ts";

const stat = (mean: number, min = mean, max = mean) => ({
  mean,
  min,
  max,
  stdev: 0,
  n: 1,
});

Deno.test("bar chart data has mean, min and max per series, ? where unmeasured", () => {
  const files = barChartFiles({
    name: "demo",
    title: "Demo",
    ylabel: "ms",
    logY: true,
    groups: ["static 1 KiB", "CGI script"],
    series: [
      { label: "a", color: "#000000", values: [stat(2, 1, 3), undefined] },
      { label: "b", color: "#ffffff", values: [stat(4), stat(0)] },
    ],
    reference: 1,
    valueLabels: true,
  });
  const lines = files.data.trim().split("\n");
  assert.equal(lines[1], '"static 1 KiB" 2 1 3 4 4 4');
  // Missing, and zero on a log axis, cannot be drawn.
  assert.equal(lines[2], '"CGI script" ? ? ? ? ? ?');
  const script = files.script("svg");
  assert.match(script, /set terminal svg/);
  assert.match(script, /set output "\.\.\/demo\.svg"/);
  assert.match(script, /set logscale y/);
  // Up to 2.2× the highest whisker (4): room for its label, no empty decade.
  assert.match(script, /set yrange \[1:8\.8\]/);
  assert.match(script, /set arrow from graph 0, first 1 to graph 1, first 1/);
  assert.match(script, /"demo\.dat" using 2:3:4:xtic\(1\) title "a"/);
  assert.match(script, /'' using 5:6:7 title "b"/);
  assert.match(script, /with labels/);
  assert.match(
    files.script("png"),
    /set terminal pngcairo[\s\S]*set output "\.\.\/demo\.png"/,
  );
});

Deno.test("line chart data has one block per series and powers of two along x", () => {
  const files = lineChartFiles({
    name: "curve",
    title: "Curve",
    xlabel: "connections",
    ylabel: "req/s",
    logX: true,
    logY: false,
    series: [
      {
        label: "one",
        color: "#000000",
        points: [{ x: 1, value: stat(10, 9, 11) }, { x: 4, value: stat(20) }],
      },
      { label: "two", color: "#111111", points: [{ x: 2, value: stat(5) }] },
    ],
  });
  const blocks = files.data.trim().split("\n\n\n");
  assert.equal(blocks.length, 2);
  assert.match(blocks[0]!, /^# one: x mean min max\n1 10 9 11\n4 20 20 20$/);
  const script = files.script("svg");
  assert.match(script, /set logscale x 2/);
  assert.match(script, /set xtics \(1, 2, 4\)/);
  assert.match(script, /set yrange \[0:\*\]/);
  assert.match(script, /index 1 using 1:2:3:4 with yerrorlines title "two"/);
});

Deno.test("gnuplotString escapes quotes and backslashes", () => {
  assert.equal(gnuplotString('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
});
