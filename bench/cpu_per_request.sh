#!/usr/bin/env bash
# CPU time spidey -f -q spends per request on a cached 1 KiB file (and a
# 40-entry listing): user + system time of the whole server process from
# /proc/PID/stat around a wrk run, divided by the requests wrk completed.
# Unlike req/s this figure barely moves when other work shares the
# machine, so it is the one to compare before and after a change.
#
# Usage: bench/cpu_per_request.sh [--duration S] [--runs N] [--json FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=5
parse_bench_options "$@"

ensure_packages wrk:wrk curl:curl python3:python3
ensure_deno

make_bench_workdir spidey-cpu
detect_pinning

ROOT=$WORK/root
mkdir -p "$ROOT/list"
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 > "$ROOT/1k.txt"
for i in $(seq 1 30); do head -c $((i * 100)) /dev/zero > "$ROOT/list/file-$(printf %02d "$i").dat"; done
for i in $(seq 1 10); do mkdir -p "$ROOT/list/dir-$(printf %02d "$i")"; done

port=$(free_port)
spawn_pinned 0 deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/spidey.ts" \
  -f -q -b 127.0.0.1 -p "$port" -d "$ROOT" 2>"$WORK/spidey.log"
pid=${PIDS[-1]}
wait_http "$port"

# Prints µs of CPU per request for one wrk run against a URL.
cpu_per_request() {
  local url=$1 before after requests
  before=$(tree_cpu_ticks "$pid")
  requests=$(pin 1 wrk -t1 -c50 -d"${DURATION}s" "$url" | wrk_requests)
  after=$(tree_cpu_ticks "$pid")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.2f\n", (n > 0 ? t / hz * 1e6 / n : 0)}'
}

declare -A RESULT
for path in 1k.txt list/; do
  pin 1 wrk -t1 -c50 -d2s "http://127.0.0.1:$port/$path" >/dev/null # JIT, caches
  RESULT[$path]=$(for _ in $(seq 1 "$RUNS"); do cpu_per_request "http://127.0.0.1:$port/$path"; done | median)
done
stop_last

printf '%-28s %10s\n' "workload" "CPU µs/req"
printf '%-28s %10s\n' "1 KiB cached file" "${RESULT[1k.txt]}"
printf '%-28s %10s\n' "40-entry cached listing" "${RESULT[list/]}"
echo "(medians of $RUNS runs of ${DURATION}s, wrk -t1 -c50 on CPU 1, spidey -f -q on CPU 0; user+system time of the server)"
if [ -n "$JSON_OUT" ]; then
  printf '{"duration_s": %s, "runs": %s, "cpu_us_per_request": {"file_1k": %s, "listing_40": %s}}\n' \
    "$DURATION" "$RUNS" "${RESULT[1k.txt]}" "${RESULT[list/]}" > "$JSON_OUT"
fi
