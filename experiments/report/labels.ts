/**
 * Names people read in charts and the report, derived from the CSV's own
 * columns (server, mode, flags, size label) so that nothing is typed in
 * twice, plus one fixed colour per configuration across all charts.
 *
 * @module
 */

import type { PointSummary } from "../data/aggregate.ts";

/** `spidey concurrent (-f)`, `nginx 2 workers`, `lighttpd event loop`. */
export function configLabel(
  s: Pick<PointSummary, "server" | "mode" | "serverArgs">,
): string {
  if (s.server === "spidey") {
    return s.serverArgs === ""
      ? `spidey ${s.mode}`
      : `spidey ${s.mode} (${s.serverArgs})`;
  }
  return `${s.server} ${s.mode}`;
}

/** `directory listing`, `CGI script`, `static 1 KiB`. */
export function workloadLabel(
  s: Pick<PointSummary, "kind" | "sizeLabel">,
): string {
  if (s.kind === "listing") return "directory listing";
  if (s.kind === "cgi") return "CGI script";
  return `static ${s.sizeLabel}`;
}

const COLORS: Record<string, string> = {
  "spidey-single": "#d62728",
  "spidey-concurrent": "#1f77b4",
  "spidey-multi": "#2ca02c",
  "nginx": "#9467bd",
  "nginx-2w": "#8c564b",
  "lighttpd": "#ff7f0e",
};

/** The colour of a configuration in every chart. */
export function configColor(config: string): string {
  return COLORS[config] ?? "#7f7f7f";
}
