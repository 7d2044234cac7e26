#!/usr/bin/env bash
# spidey -f against nginx (1 worker, sendfile) and lighttpd, side by side
# with wrk on the same machine: a 1 KiB file with keep-alive (req/s), a
# 40-entry directory listing (req/s) and a 256 MiB file (MB/s).
# Servers are pinned to CPU 0 and clients to CPU 1. Prints a table of
# medians and spidey's ratio to the best peer.
#
# Usage: bench/compare_servers.sh [--duration S] [--runs N] [--json FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=5
parse_bench_options "$@"

ensure_packages nginx:nginx lighttpd:lighttpd wrk:wrk curl:curl python3:python3
ensure_deno

make_bench_workdir spidey-bench
detect_pinning

# Test files: never committed, made fresh in a temp folder.
ROOT=$WORK/root
mkdir -p "$ROOT/list"
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 > "$ROOT/1k.txt"
for i in $(seq 1 30); do head -c $((i * 100)) /dev/zero > "$ROOT/list/file-$(printf %02d "$i").dat"; done
for i in $(seq 1 10); do mkdir -p "$ROOT/list/dir-$(printf %02d "$i")"; done
head -c $((256 * 1024 * 1024)) /dev/urandom > "$ROOT/256m.bin"
# nginx's and lighttpd's workers run as an unprivileged user.
chmod -R a+rX "$WORK"

# The peers are set up as in the study (experiments/measure/peer_configs.ts).
start_nginx() {
  local port=$1
  local conf
  conf=$(bench_cli nginx --state-dir "$WORK/nginx" --port "$port" --docroot "$ROOT")
  spawn_pinned 0 nginx -c "$conf"
}

start_lighttpd() {
  local port=$1
  local conf
  conf=$(bench_cli lighttpd --state-dir "$WORK/lighttpd" --port "$port" --docroot "$ROOT")
  spawn_pinned 0 lighttpd -D -f "$conf"
}

start_spidey() {
  local port=$1
  spawn_pinned 0 deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/spidey.ts" \
    -f -q -b 127.0.0.1 -p "$port" -d "$ROOT" 2>"$WORK/spidey.log"
}

# Runs wrk RUNS times on a URL; prints the median req/s.
measure_rps() {
  local url=$1
  local i
  for i in $(seq 1 "$RUNS"); do
    pin 1 wrk -t1 -c50 -d"${DURATION}s" "$url" | wrk_rps
  done | median
}

# Downloads the big file RUNS times with curl; prints the median MB/s.
measure_mbps() {
  local url=$1
  local i
  for i in $(seq 1 "$RUNS"); do
    pin 1 curl -s -o /dev/null -w '%{speed_download}\n' --max-time 60 "$url" |
      awk '{printf "%.1f\n", $1 / 1000000}'
  done | median
}

declare -A RESULT
for server in spidey nginx lighttpd; do
  port=$(free_port)
  "start_$server" "$port"
  wait_http "$port"
  for path in 1k.txt list/ 256m.bin; do
    code=$(curl -s -o /dev/null -r 0-0 -w '%{http_code}' "http://127.0.0.1:$port/$path")
    case $code in
      200|206) ;;
      *) echo "error: $server answers $code for /$path; not measuring it" >&2; exit 1 ;;
    esac
  done
  # Warm up: caches, JIT.
  pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port/1k.txt" >/dev/null
  pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port/list/" >/dev/null
  echo "measuring $server..." >&2
  RESULT[$server,file]=$(measure_rps "http://127.0.0.1:$port/1k.txt")
  echo "  1 KiB file: ${RESULT[$server,file]} req/s" >&2
  RESULT[$server,list]=$(measure_rps "http://127.0.0.1:$port/list/")
  echo "  40-entry listing: ${RESULT[$server,list]} req/s" >&2
  RESULT[$server,big]=$(measure_mbps "http://127.0.0.1:$port/256m.bin")
  echo "  256 MiB file: ${RESULT[$server,big]} MB/s" >&2
  stop_last
done

best() {
  local a=${RESULT[nginx,$1]} b=${RESULT[lighttpd,$1]}
  awk -v a="$a" -v b="$b" 'BEGIN {print (a > b ? a : b)}'
}
ratio() {
  awk -v s="${RESULT[spidey,$1]}" -v b="$(best "$1")" 'BEGIN {printf "%.2f", (b > 0 ? s / b : 0)}'
}

printf '\n%-22s %12s %12s %12s %14s\n' "workload" "spidey" "nginx" "lighttpd" "spidey/best"
printf '%-22s %12s %12s %12s %14s\n' "1 KiB file (req/s)" "${RESULT[spidey,file]}" "${RESULT[nginx,file]}" "${RESULT[lighttpd,file]}" "$(ratio file)"
printf '%-22s %12s %12s %12s %14s\n' "40-entry list (req/s)" "${RESULT[spidey,list]}" "${RESULT[nginx,list]}" "${RESULT[lighttpd,list]}" "$(ratio list)"
printf '%-22s %12s %12s %12s %14s\n' "256 MiB file (MB/s)" "${RESULT[spidey,big]}" "${RESULT[nginx,big]}" "${RESULT[lighttpd,big]}" "$(ratio big)"
echo "(medians of $RUNS runs of ${DURATION}s, wrk -t1 -c50 on CPU 1, server on CPU 0; big file: curl, one stream)"

if [ -n "$JSON_OUT" ]; then
  cat > "$JSON_OUT" <<JSON
{"duration_s": $DURATION, "runs": $RUNS,
 "file_rps": {"spidey": ${RESULT[spidey,file]}, "nginx": ${RESULT[nginx,file]}, "lighttpd": ${RESULT[lighttpd,file]}, "ratio_to_best": $(ratio file)},
 "listing_rps": {"spidey": ${RESULT[spidey,list]}, "nginx": ${RESULT[nginx,list]}, "lighttpd": ${RESULT[lighttpd,list]}, "ratio_to_best": $(ratio list)},
 "big_file_mbps": {"spidey": ${RESULT[spidey,big]}, "nginx": ${RESULT[nginx,big]}, "lighttpd": ${RESULT[lighttpd,big]}, "ratio_to_best": $(ratio big)}}
JSON
fi
