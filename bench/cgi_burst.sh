#!/usr/bin/env bash
# Static latency while a burst of CGI requests arrives: spidey (with its
# default --cgi-max, and with the limit lifted) against lighttpd's mod_cgi.
# A prober asks for a 1 KiB file every 5 ms on a keep-alive connection and
# counts latency from when each request was due; meanwhile BURST requests
# for a trivial sh script are sent at once (bench/cgi_burst_client.ts).
# Servers (and so their scripts) are pinned to CPU 0, the client to CPU 1.
# Loopback only, every run bounded in time; not part of CI.
#
# Usage: bench/cgi_burst.sh [--burst N] [--runs N] [--json FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BURST=200
ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --burst) BURST=$2; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
DURATION=0
parse_bench_options "${ARGS[@]+"${ARGS[@]}"}"

ensure_packages lighttpd:lighttpd curl:curl python3:python3
ensure_deno

make_bench_workdir spidey-cgi-burst
detect_pinning

ROOT=$WORK/root
mkdir -p "$ROOT/cgi-bin"
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 > "$ROOT/1k.txt"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nhello\\n"\n' > "$ROOT/cgi-bin/hello.cgi"
chmod 755 "$ROOT/cgi-bin/hello.cgi"
# lighttpd's workers run as an unprivileged user.
chmod -R a+rX "$WORK"

start_lighttpd() {
  local port=$1
  local conf
  conf=$(bench_cli lighttpd --state-dir "$WORK/lighttpd" --port "$port" --docroot "$ROOT")
  spawn_pinned 0 lighttpd -D -f "$conf"
}

start_spidey() {
  local port=$1
  shift
  spawn_pinned 0 deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/spidey.ts" \
    -f -q -b 127.0.0.1 -p "$port" -d "$ROOT" "$@" 2>"$WORK/spidey.log"
}

run_client() {
  local port=$1 label=$2
  pin 1 deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/bench/cgi_burst_client.ts" \
    --port "$port" --burst "$BURST" --label "$label" --static /1k.txt --cgi /cgi-bin/hello.cgi
}

RESULTS=()
for setup in "spidey" "spidey --cgi-max 4096" "lighttpd"; do
  for run in $(seq 1 "$RUNS"); do
    port=$(free_port)
    # shellcheck disable=SC2086
    case $setup in
      spidey*) start_spidey "$port" ${setup#spidey} ;;
      lighttpd) start_lighttpd "$port" ;;
    esac
    wait_http "$port"
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/cgi-bin/hello.cgi")
    if [ "$code" != 200 ]; then
      echo "error: $setup answers $code for the CGI script; not measuring it" >&2
      exit 1
    fi
    echo "measuring $setup (run $run of $RUNS)..." >&2
    line=$(run_client "$port" "$setup")
    echo "  $line" >&2
    RESULTS+=("$line")
    stop_last
  done
done

printf '\n%-24s %10s %10s %10s %12s %s\n' "server" "p50 ms" "p99 ms" "max ms" "burst ms" "CGI statuses"
for line in "${RESULTS[@]}"; do
  echo "$line" | python3 -c '
import json, sys
r = json.load(sys.stdin)
d = r["static_during_burst"]
print("%-24s %10s %10s %10s %12s %s" % (r["server"], d["p50_ms"], d["p99_ms"], d["max_ms"], r["burst_ms"], r["cgi_statuses"]))'
done
echo "(static latency during a burst of $BURST CGI requests; baseline in the JSON lines above)"

if [ -n "$JSON_OUT" ]; then
  printf '%s\n' "${RESULTS[@]}" > "$JSON_OUT"
fi
