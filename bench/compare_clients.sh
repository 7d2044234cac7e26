#!/usr/bin/env bash
# thor against wrk, autocannon and ab on the same fast target: nginx with
# one worker on CPU 0 answering a fixed 200 from memory; each client runs
# alone on CPU 1 with 50 keep-alive connections for the same duration.
# Prints req/s and p50/p99 per client (medians of RUNS runs) and thor's
# ratios. Target from the issue: thor >= 0.8 x wrk, and above autocannon
# and ab.
#
# Usage: bench/compare_clients.sh [--duration S] [--runs N] [--json FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=4
parse_bench_options "$@"

ensure_packages nginx:nginx wrk:wrk apache2-utils:ab curl:curl python3:python3
ensure_deno

make_bench_workdir thor-bench
detect_pinning

echo "installing autocannon from npm into $WORK..." >&2
npm install --silent --prefix "$WORK/ac" autocannon >/dev/null 2>&1 || {
  echo "error: npm install autocannon failed" >&2
  exit 1
}
AUTOCANNON="$WORK/ac/node_modules/.bin/autocannon"

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

run_thor() {
  pin 1 deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/thor.ts" \
    -c 50 -d "$DURATION" --json "$URL" > "$WORK/thor.json"
  echo "$(json_field rps < "$WORK/thor.json") $(json_field latency_ms.p50 < "$WORK/thor.json") $(json_field latency_ms.p99 < "$WORK/thor.json")"
}
run_wrk() {
  pin 1 wrk -t1 -c50 -d"${DURATION}s" --latency "$URL" > "$WORK/wrk.txt"
  local rps p50 p99
  rps=$(wrk_rps < "$WORK/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt" | to_ms)
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt" | to_ms)
  echo "$rps $p50 $p99"
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

declare -A RPS P50 P99
CLIENTS=(thor wrk autocannon ab)
# Warm nginx up, then measure in interleaved rounds so that every client
# sees the same machine conditions (a VM's speed drifts over minutes).
pin 1 wrk -t1 -c50 -d2s "$URL" >/dev/null
for client in "${CLIENTS[@]}"; do : > "$WORK/$client.runs"; done
for i in $(seq 1 "$RUNS"); do
  for client in "${CLIENTS[@]}"; do
    "run_$client" >> "$WORK/$client.runs"
    echo "round $i $client: $(tail -n 1 "$WORK/$client.runs") (req/s p50_ms p99_ms)" >&2
  done
done
for client in "${CLIENTS[@]}"; do
  RPS[$client]=$(awk '{print $1}' "$WORK/$client.runs" | median)
  P50[$client]=$(awk '{print $2}' "$WORK/$client.runs" | median)
  P99[$client]=$(awk '{print $3}' "$WORK/$client.runs" | median)
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

printf '\n%-11s %12s %10s %10s %14s\n' "client" "req/s" "p50 ms" "p99 ms" "thor/client"
for client in "${CLIENTS[@]}"; do
  printf '%-11s %12s %10s %10s %14s\n' "$client" "${RPS[$client]}" "${P50[$client]}" "${P99[$client]}" "$(ratio "${RPS[thor]}" "${RPS[$client]}")"
done
echo "(medians of $RUNS runs of ${DURATION}s, 50 connections, nginx 1 worker on CPU 0, client on CPU 1)"
echo "thor p50/wrk p50: $(ratio "${P50[thor]}" "${P50[wrk]}"), thor p99/wrk p99: $(ratio "${P99[thor]}" "${P99[wrk]}")"

if [ -n "$JSON_OUT" ]; then
  {
    echo "{\"duration_s\": $DURATION, \"runs\": $RUNS, \"clients\": {"
    sep=""
    for client in "${CLIENTS[@]}"; do
      printf '%s"%s": {"rps": %s, "p50_ms": %s, "p99_ms": %s}' "$sep" "$client" "${RPS[$client]}" "${P50[$client]}" "${P99[$client]}"
      sep=", "
    done
    echo "}, \"thor_over_wrk\": $(ratio "${RPS[thor]}" "${RPS[wrk]}")}"
  } > "$JSON_OUT"
fi
