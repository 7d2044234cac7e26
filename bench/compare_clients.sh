#!/usr/bin/env bash
# thor against wrk, autocannon and ab on the same fast target: nginx with
# one worker on CPU 0 answering a fixed 200 from memory; each client runs
# alone on CPU 1 with 50 keep-alive connections for the same duration.
# Prints req/s and p50/p99 per client (medians of RUNS runs) and thor's
# ratios; per round, thor/wrk and the CPU time per request of both (user +
# system, thor's start-up cost taken off), whose medians close the table.
# The machine may be busy: trust the interleaved ratios and CPU per
# request more than absolute req/s. Target: thor >= 0.9 x wrk, and above
# autocannon and ab.
#
# Usage: bench/compare_clients.sh [--duration S] [--runs N] [--json FILE]
# BENCH_CLIENTS="thor wrk" limits the clients (thor and wrk must stay).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=4
parse_bench_options "$@"

CLIENTS=(${BENCH_CLIENTS:-thor wrk autocannon ab})
has_client() { [[ " ${CLIENTS[*]} " == *" $1 "* ]]; }
if ! has_client thor || ! has_client wrk; then
  echo "error: BENCH_CLIENTS must include thor and wrk" >&2
  exit 2
fi
ensure_packages nginx:nginx wrk:wrk apache2-utils:ab curl:curl python3:python3 time:/usr/bin/time
ensure_deno

make_bench_workdir thor-bench
detect_pinning

if has_client autocannon; then
  echo "installing autocannon from npm into $WORK..." >&2
  npm install --silent --prefix "$WORK/ac" autocannon >/dev/null 2>&1 || {
    echo "error: npm install autocannon failed" >&2
    exit 1
  }
  AUTOCANNON="$WORK/ac/node_modules/.bin/autocannon"
fi

PORT=$(free_port)
CONF_FILE=$(bench_cli nginx --state-dir "$WORK/nginx" --port "$PORT" --reply "hello from nginx")
spawn_pinned 0 nginx -c "$CONF_FILE"
wait_http "$PORT"
URL="http://127.0.0.1:$PORT/"

json_field() {
  # Reads JSON on stdin and prints the value at a dotted path.
  python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"
}

# Converts wrk latency text like 1.23ms / 450.00us / 1.02s to ms.
to_ms() {
  awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'
}

# Runs a command pinned to CPU $1 and writes its CPU seconds (user +
# system) to $WORK/cpu.
timed_pin() {
  local cpu=$1
  shift
  pin "$cpu" /usr/bin/time -o "$WORK/cpu.txt" -f "%U %S" "$@"
  awk '{print $1 + $2}' "$WORK/cpu.txt" > "$WORK/cpu"
}
# CPU µs per request: $1 CPU seconds, $2 requests, $3 start-up seconds.
us_per_request() {
  awk -v c="$1" -v n="$2" -v s="${3:-0}" 'BEGIN {printf "%.1f", (n > 0 ? (c - s) * 1e6 / n : 0)}'
}
THOR=(deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/thor.ts")
# What thor costs without load (start, one request, report), so that its
# CPU per request counts the load loop only.
thor_startup() {
  local i
  for i in 1 2 3; do
    timed_pin 1 "${THOR[@]}" -r 1 --json "$URL" > /dev/null
    cat "$WORK/cpu"
  done | median
}
run_thor() {
  timed_pin 1 "${THOR[@]}" -c 50 -d "$DURATION" --json "$URL" > "$WORK/thor.json"
  local n
  n=$(json_field completed < "$WORK/thor.json")
  echo "$(json_field rps < "$WORK/thor.json") $(json_field latency_ms.p50 < "$WORK/thor.json") $(json_field latency_ms.p99 < "$WORK/thor.json") $(us_per_request "$(cat "$WORK/cpu")" "$n" "$THOR_STARTUP")"
}
run_wrk() {
  timed_pin 1 wrk -t1 -c50 -d"${DURATION}s" --latency "$URL" > "$WORK/wrk.txt"
  local rps p50 p99 n
  rps=$(wrk_rps < "$WORK/wrk.txt")
  n=$(awk '/ requests in / {print $1}' "$WORK/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt" | to_ms)
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt" | to_ms)
  echo "$rps $p50 $p99 $(us_per_request "$(cat "$WORK/cpu")" "$n")"
}
run_autocannon() {
  pin 1 node "$AUTOCANNON" -c 50 -d "$DURATION" --json "$URL" 2>/dev/null > "$WORK/ac.json"
  echo "$(json_field requests.average < "$WORK/ac.json") $(json_field latency.p50 < "$WORK/ac.json") $(json_field latency.p99 < "$WORK/ac.json")"
}
run_ab() {
  pin 1 ab -q -k -c 50 -t "$DURATION" -n 100000000 "$URL" > "$WORK/ab.txt" 2>/dev/null
  local rps p50 p99
  rps=$(awk '/^Requests per second:/ {print $4}' "$WORK/ab.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/ab.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/ab.txt")
  echo "$rps $p50 $p99"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

declare -A RPS P50 P99
# Warm nginx up, then measure in interleaved rounds so that every client
# sees the same machine conditions (a VM's speed drifts over minutes).
pin 1 wrk -t1 -c50 -d2s "$URL" >/dev/null
THOR_STARTUP=$(thor_startup)
echo "thor start-up CPU: ${THOR_STARTUP}s (taken off its CPU per request)" >&2
for client in "${CLIENTS[@]}"; do : > "$WORK/$client.runs"; done
: > "$WORK/ratio.runs"
for i in $(seq 1 "$RUNS"); do
  for client in "${CLIENTS[@]}"; do
    "run_$client" >> "$WORK/$client.runs"
    echo "round $i $client: $(tail -n 1 "$WORK/$client.runs") (req/s p50_ms p99_ms [cpu_us/req])" >&2
  done
  r=$(ratio "$(tail -n 1 "$WORK/thor.runs" | awk '{print $1}')" "$(tail -n 1 "$WORK/wrk.runs" | awk '{print $1}')")
  echo "$r" >> "$WORK/ratio.runs"
  echo "round $i thor/wrk: $r" >&2
done
for client in "${CLIENTS[@]}"; do
  RPS[$client]=$(awk '{print $1}' "$WORK/$client.runs" | median)
  P50[$client]=$(awk '{print $2}' "$WORK/$client.runs" | median)
  P99[$client]=$(awk '{print $3}' "$WORK/$client.runs" | median)
done

printf '\n%-11s %12s %10s %10s %14s\n' "client" "req/s" "p50 ms" "p99 ms" "thor/client"
for client in "${CLIENTS[@]}"; do
  printf '%-11s %12s %10s %10s %14s\n' "$client" "${RPS[$client]}" "${P50[$client]}" "${P99[$client]}" "$(ratio "${RPS[thor]}" "${RPS[$client]}")"
done
echo "(medians of $RUNS runs of ${DURATION}s, 50 connections, nginx 1 worker on CPU 0, client on CPU 1)"
echo "thor p50/wrk p50: $(ratio "${P50[thor]}" "${P50[wrk]}"), thor p99/wrk p99: $(ratio "${P99[thor]}" "${P99[wrk]}")"
RATIO_MEDIAN=$(median < "$WORK/ratio.runs")
THOR_CPU=$(awk '{print $4}' "$WORK/thor.runs" | median)
WRK_CPU=$(awk '{print $4}' "$WORK/wrk.runs" | median)
echo "thor/wrk per round: $(paste -sd' ' "$WORK/ratio.runs"); median $RATIO_MEDIAN"
echo "CPU per request (median): thor ${THOR_CPU} us, wrk ${WRK_CPU} us"

if [ -n "$JSON_OUT" ]; then
  {
    echo "{\"duration_s\": $DURATION, \"runs\": $RUNS, \"clients\": {"
    sep=""
    for client in "${CLIENTS[@]}"; do
      printf '%s"%s": {"rps": %s, "p50_ms": %s, "p99_ms": %s}' "$sep" "$client" "${RPS[$client]}" "${P50[$client]}" "${P99[$client]}"
      sep=", "
    done
    echo "}, \"thor_over_wrk\": $(ratio "${RPS[thor]}" "${RPS[wrk]}"), \"thor_over_wrk_rounds_median\": $RATIO_MEDIAN, \"cpu_us_per_request\": {\"thor\": $THOR_CPU, \"wrk\": $WRK_CPU}}"
  } > "$JSON_OUT"
fi
