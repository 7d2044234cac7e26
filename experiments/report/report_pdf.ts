/**
 * Prints `REPORT.md` to a PDF: the Markdown becomes one HTML page (with
 * `marked`) next to the report, so the charts' relative links resolve,
 * and headless Chromium prints that page. The PDF therefore shows the
 * same text, tables and SVG charts as the Markdown, from the same data.
 *
 * Usage: deno run -A experiments/report/report_pdf.ts --report REPORT.md
 *          --out report.pdf
 *
 * @module
 */

import { marked } from "marked";
import { parseArgs } from "node:util";
import { dirname, resolve } from "node:path";
import { runCli, StudyError } from "../data/errors.ts";

/** Print styles: A4, readable tables, charts no wider than the page. */
const STYLE = `
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #111; }
h1 { font-size: 17pt; } h2 { font-size: 13pt; margin-top: 1.4em; break-after: avoid; }
h3 { font-size: 11pt; break-after: avoid; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 8pt; break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 2px 5px; }
th { background: #eee; }
img { max-width: 100%; break-inside: avoid; display: block; margin: 0.5em auto; }
code { font-size: 8.5pt; }
`;

/** The HTML page of a Markdown report. */
export function reportHtml(markdown: string): string {
  const body = marked.parse(markdown, { async: false, gfm: true });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>spidey: latency and throughput study</title>
<style>${STYLE}</style></head><body>
${body}
</body></html>
`;
}

/** The Chromium binary to print with. */
function chromium(): string {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    for (const dir of ["/usr/bin", "/usr/local/bin"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // Not in this folder; try the next.
      }
    }
  }
  throw new StudyError(
    "TOOL_MISSING",
    "Chromium is not installed (apt-get install chromium)",
  );
}

/** Prints the Markdown report at `report` to the PDF file `out`. */
export async function printReport(report: string, out: string): Promise<void> {
  const source = resolve(report);
  const page = `${dirname(source)}/.report-print.html`;
  Deno.writeTextFileSync(page, reportHtml(Deno.readTextFileSync(source)));
  const profile = Deno.makeTempDirSync({ prefix: "report-pdf-" });
  try {
    const result = await new Deno.Command(chromium(), {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        `--user-data-dir=${profile}`,
        "--no-pdf-header-footer",
        `--print-to-pdf=${resolve(out)}`,
        `file://${page}`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    let size = 0;
    try {
      size = Deno.statSync(out).size;
    } catch {
      // No file: reported below.
    }
    if (!result.success || size === 0) {
      const why = new TextDecoder().decode(result.stderr).trim().split("\n")
        .slice(-2).join(" | ");
      throw new StudyError(
        "TOOL_MISSING",
        `Chromium could not print ${report} to ${out}: ${why}`,
      );
    }
  } finally {
    Deno.removeSync(page);
    Deno.removeSync(profile, { recursive: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { report: { type: "string" }, out: { type: "string" } },
  });
  if (values.report === undefined || values.out === undefined) {
    throw new StudyError("USAGE", "Missing --report FILE or --out FILE");
  }
  await printReport(values.report, values.out);
  console.error(`Wrote ${values.out}`);
}

if (import.meta.main) await runCli("report_pdf", main);
