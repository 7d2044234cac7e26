#!/usr/bin/env bash
# The latency and throughput study of spidey, driven by thor: makes test
# files in a temporary folder, measures spidey's three modes and its peers
# nginx and lighttpd on 127.0.0.1, records every run in results/study.csv,
# times process start-ups (results/spawn_cost.csv), draws the charts with
# gnuplot, writes REPORT.md from the data and prints it to report.pdf.
#
# Usage: experiments/run_study.sh [--quick] [--only PARTS] [--out DIR] [--png]
#   --quick       the whole pipeline with tiny files, short runs and one
#                 repetition (a minute or two), into a new temporary folder
#                 unless --out is given; never touches the committed results
#   --only PARTS  rerun only these parts, comma-separated: latency,
#                 throughput, concurrency, peers (the other parts' rows stay)
#   --out DIR     write DIR/REPORT.md, DIR/report.pdf and DIR/results/
#                 (default: experiments/ for the full study)
#   --png         also render PNG copies of the charts
#   -h, --help    show this help
# Outputs are written to a staging folder and moved into place only when
# everything has been measured, drawn and written.
set -euo pipefail
# The study's one driver: it runs each stage's program in turn,
# measure/study.ts (test files, servers, thor: the CSV files), then
# report/charts.ts (gnuplot charts) and report/report.ts (REPORT.md), both
# reading the CSV files through data/.
source "$(dirname "${BASH_SOURCE[0]}")/measure/setup.sh"

QUICK=0
ONLY=""
OUT=""
PNG=""
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
fail_usage() {
  echo "run_study: error: $1. Try 'experiments/run_study.sh -h' for help." >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1; shift ;;
    --only)
      [ $# -ge 2 ] || fail_usage "--only needs a list of parts"
      ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#--only=}; shift ;;
    --out)
      [ $# -ge 2 ] || fail_usage "--out needs a folder"
      OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --png) PNG=--png; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail_usage "unknown option $1" ;;
  esac
done

for part in ${ONLY//,/ }; do
  case $part in
    latency|throughput|concurrency|peers) ;;
    *) fail_usage "unknown part \"$part\" (use latency, throughput, concurrency, peers)" ;;
  esac
done

PROFILE=full
[ "$QUICK" -eq 1 ] && PROFILE=quick
COMMITTED=$REPO_DIR/experiments
if [ -z "$OUT" ]; then
  if [ "$QUICK" -eq 1 ]; then
    OUT=$(mktemp -d /tmp/spidey-study-quick.XXXXXX)
  else
    OUT=$COMMITTED
  fi
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ "$QUICK" -eq 1 ] && [ "$OUT" = "$COMMITTED" ]; then
  fail_usage "--quick must not overwrite the committed full study in experiments/; choose another --out"
fi

# Tools: Deno, gnuplot for the charts, the peers for the parts that use them.
ensure_deno
needs=(gnuplot-nox:gnuplot chromium:chromium)
if [ -z "$ONLY" ] || [[ ",$ONLY," == *,concurrency,* ]] || [[ ",$ONLY," == *,peers,* ]]; then
  needs+=(nginx:nginx lighttpd:lighttpd)
fi
ensure_packages "${needs[@]}"

STARTED=$SECONDS
WORK=$(mktemp -d /tmp/spidey-study.XXXXXX)
# nginx workers run as nobody and must reach the docroot.
chmod 755 "$WORK"
STAGE=$(mktemp -d "$OUT/.staging.XXXXXX")
CHILD=""
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ] && [ "$status" -ne 130 ]; then
    echo "run_study: failed (status $status); nothing was published" >&2
  fi
  if [ -n "$CHILD" ]; then
    kill "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  rm -rf "$WORK" "$STAGE"
}
trap cleanup EXIT
trap 'echo "run_study: interrupted; nothing was published" >&2; exit 130' INT TERM

# Runs one Deno step in the background so that a signal reaches the trap.
step() {
  deno run -A --quiet --config "$REPO_DIR/deno.json" "$@" &
  CHILD=$!
  wait "$CHILD"
  CHILD=""
}

echo "Study ($PROFILE) into $OUT" >&2
previous=()
[ -n "$ONLY" ] && previous=(--previous "$OUT/results")
step "$REPO_DIR/experiments/measure/study.ts" --profile "$PROFILE" --only "$ONLY" \
  --work "$WORK" --results "$STAGE/results" "${previous[@]}"
echo "Timing process start-ups..." >&2
spawn_runs=(--runs 200 --deno-runs 30)
[ "$QUICK" -eq 1 ] && spawn_runs=(--runs 20 --deno-runs 3)
step "$REPO_DIR/experiments/measure/spawn_cost.ts" --out "$STAGE/results/spawn_cost.csv" "${spawn_runs[@]}"
echo "Drawing charts..." >&2
step "$REPO_DIR/experiments/report/charts.ts" --csv "$STAGE/results/study.csv" --out "$STAGE/results" $PNG
echo "Writing the report..." >&2
step "$REPO_DIR/experiments/report/report.ts" --csv "$STAGE/results/study.csv" \
  --timing "$STAGE/results/timing.csv" --spawn "$STAGE/results/spawn_cost.csv" \
  --out "$STAGE/REPORT.md" --charts "$STAGE/results" --chart-link results
echo "Printing the report to PDF..." >&2
step "$REPO_DIR/experiments/report/report_pdf.ts" --report "$STAGE/REPORT.md" \
  --out "$STAGE/report.pdf"

# Publish: data and charts first, the report last, each by rename.
mkdir -p "$OUT/results/gnuplot"
for file in "$STAGE"/results/gnuplot/*; do mv -f "$file" "$OUT/results/gnuplot/"; done
for file in "$STAGE"/results/*; do
  [ -f "$file" ] && mv -f "$file" "$OUT/results/"
done
mv -f "$STAGE/REPORT.md" "$OUT/REPORT.md"
mv -f "$STAGE/report.pdf" "$OUT/report.pdf"
echo "Done in $((SECONDS - STARTED)) s: $OUT/REPORT.md and $OUT/results/" >&2
