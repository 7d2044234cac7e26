#!/usr/bin/env bash
# spidey -f -q against nginx (1 worker, sendfile), lighttpd and a canned
# raw Deno loop (bench/canned_loop.ts, the floor for any Deno server, for
# the 1 KiB file and for the listing page spidey sends),
# side by side with wrk on the same machine, in rounds: each workload on
# every server back to back, in two legs of half the duration, in the
# round's order and then in reverse (A B C D D C B A), so that a ratio
# divides figures taken seconds apart and a drift of this VM's speed within
# the round weighs on every server alike; the ratios reported are the
# medians of each round's:
#   - a 1 KiB file with keep-alive (req/s, and the server's CPU time per
#     request), a 40-entry listing (the same), a 256 MiB file (MB/s, curl);
#   - a tiny shell CGI script at ab -c1 and -c8 (ms per request, spidey
#     against lighttpd mod_cgi; nginx has no CGI);
#   - spidey -w 1 against -w 2 on the 1 KiB file; with 2 cores and the
#     client on its own core, the 2 workers share one core;
#   - IDLE_CONNS (default 10000) idle keep-alive connections held open,
#     in IDLE_ROUNDS (default 3) rounds: the server's RSS (VmRSS of it and
#     its children) and wrk's p99 latency, each with and without them
#     (with them: the first run after they opened, then the next), and
#     the p99 with as many held by another server, which shows what they
#     cost this machine whoever holds them; and the time to open and get
#     answers on BURST_CONNS (default 5000) connections made at once.
# Servers are pinned to CPU 0 and clients to CPU 1. Prints tables of
# medians and ratios spidey/lighttpd, spidey/canned and spidey/best peer.
#
# Usage: [IDLE_CONNS=N] [IDLE_ROUNDS=N] [BURST_CONNS=N] bench/compare_servers.sh
#          [--duration S] [--runs N] [--json FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=5
RUNS=5
parse_bench_options "$@"
# One leg of a round: each server runs each workload for two legs.
LEG=$(((DURATION + 1) / 2))
IDLE_CONNS=${IDLE_CONNS:-10000}
IDLE_ROUNDS=${IDLE_ROUNDS:-3}
BURST_CONNS=${BURST_CONNS:-5000}
# The idle connections need a descriptor each, in the server and the client.
ulimit -n "$(ulimit -Hn)"
# lighttpd keeps two descriptors per connection, so it takes at most half
# of them; a flood leaves it room for wrk's 50.
LIGHTTPD_CONNS=$(($(ulimit -n) / 2 - 100))

ensure_packages nginx:nginx lighttpd:lighttpd wrk:wrk apache2-utils:ab curl:curl python3:python3 iproute2:nstat
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
# The smallest CGI script: what it costs is the server's spawn path.
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nhello\\n"\n' > "$ROOT/hello.cgi"
chmod 755 "$ROOT/hello.cgi"
# nginx's and lighttpd's workers run as an unprivileged user.
chmod -R a+rX "$WORK"

# The peers are set up as in the study (experiments/measure/peer_configs.ts).
# Only the connection limits and keep-alive timeouts are raised here, for
# the idle-connections row (the study's configs allow 4096 connections,
# and lighttpd closes idle keep-alive connections after 5 s).
start_nginx() {
  local port=$1
  local conf
  conf=$(bench_cli nginx --state-dir "$WORK/nginx-$port" --port "$port" --docroot "$ROOT")
  sed -i -e 's/worker_connections 4096;/worker_connections 30000;/' \
    -e 's/^daemon off;/daemon off;\nworker_rlimit_nofile 65536;/' "$conf"
  spawn_pinned 0 nginx -c "$conf"
}

start_lighttpd() {
  local port=$1
  local conf
  conf=$(bench_cli lighttpd --state-dir "$WORK/lighttpd-$port" --port "$port" --docroot "$ROOT")
  sed -i 's/^server.max-connections = 4096$/server.max-connections = 30000/' "$conf"
  printf 'server.max-fds = %s\nserver.max-keep-alive-idle = 120\n' "$(ulimit -n)" >> "$conf"
  spawn_pinned 0 lighttpd -D -f "$conf"
}

start_spidey() {
  local port=$1
  shift
  spawn_pinned 0 deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/spidey.ts" \
    -f -q -b 127.0.0.1 -p "$port" -d "$ROOT" --idle-timeout 120 "$@" 2>>"$WORK/spidey.log"
}

# The canned loop: a 1 KiB body, or the bytes of file $2 (the listing).
start_canned() {
  spawn_pinned 0 deno run --allow-net --allow-read --quiet "$REPO_DIR/bench/canned_loop.ts" "$@"
}

# One leg of wrk on a URL; prints req/s.
measure_rps() {
  pin 1 wrk -t1 -c50 -d"${LEG}s" "$1" | wrk_rps
}

# One leg of wrk on a URL served by process $2; prints req/s and the
# server's CPU time per request in µs (user + system of it and its
# children, all threads, from /proc), which says where a gap in req/s
# comes from: the server's own work, or the machine between two legs.
measure_rps_cpu() { # url pid
  local before after
  before=$(tree_cpu_ticks "$2")
  pin 1 wrk -t1 -c50 -d"${LEG}s" "$1" > "$WORK/wrk.out"
  after=$(tree_cpu_ticks "$2")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    / requests in / {n = $1} /^Requests\/sec:/ {r = $2}
    END {printf "%s %.2f\n", r, (n > 0 ? t / hz * 1e6 / n : 0)}' "$WORK/wrk.out"
}

# One curl download of the big file; prints MB/s.
measure_mbps() {
  pin 1 curl -s -o /dev/null -w '%{speed_download}\n' --max-time 60 "$1" |
    awk '{printf "%.1f\n", $1 / 1000000}'
}

# One leg of ab on the CGI script at concurrency $2; prints ms per request
# (ab's "across all concurrent requests": wall time / requests).
measure_cgi_ms() {
  pin 1 ab -q -c "$2" -t "$LEG" -n 1000000 "$1" 2>/dev/null |
    awk '/across all concurrent requests/ {print $4}'
}

# wrk's p99 latency in ms on a URL, with wrk's own unit converted.
measure_p99_ms() {
  pin 1 wrk -t1 -c50 -d"${DURATION}s" --latency "$1" | awk '
    $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      printf "%.2f\n", v * (u == "us" ? 0.001 : u == "s" ? 1000 : 1) }'
}

# a / b, or "-" where b is missing (no such row for that server).
div() {
  awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else printf "-"}'
}

# Adds one figure to the samples of a key.
sample() {
  SAMPLES[$1]="${SAMPLES[$1]:-} $2"
}
# The median of a key's samples.
med() {
  if [ -z "${SAMPLES[$1]:-}" ]; then echo "-"; return; fi
  echo "${SAMPLES[$1]}" | tr ' ' '\n' | grep . | median
}

# A key's samples as the inside of a JSON list ("-", a missing figure: null).
json_list() {
  echo "${SAMPLES[$1]:-}" | tr ' ' '\n' | grep . | sed 's/^-$/null/' | paste -sd, -
}

# A JSON object of objects of sample lists: {"group": {"member": [...]}},
# for the keys "member,group" or "group,member" ($3) that have samples.
json_groups() { # groups members order
  local group member key sep="" inner
  printf '{'
  for group in $1; do
    printf '%s\n  "%s": {' "$sep" "$group"
    inner=""
    for member in $2; do
      if [ "$3" = member,group ]; then key="$member,$group"; else key="$group,$member"; fi
      [ -n "${SAMPLES[$key]:-}" ] || continue
      printf '%s"%s": [%s]' "$inner" "$member" "$(json_list "$key")"
      inner=", "
    done
    printf '}'
    sep=","
  done
  printf '}'
}

has_nstat() { command -v nstat >/dev/null; }

declare -A PORT SAMPLES PID_OF
SERVERS=(spidey nginx lighttpd canned)
for server in "${SERVERS[@]}"; do
  PORT[$server]=$(free_port)
  "start_$server" "${PORT[$server]}"
  PID_OF[$server]=${PIDS[-1]}
done
for server in "${SERVERS[@]}"; do
  port=${PORT[$server]}
  wait_http "$port"
  paths="1k.txt list/ 256m.bin hello.cgi"
  case $server in nginx) paths="1k.txt list/ 256m.bin" ;; canned) paths="1k.txt" ;; esac
  for path in $paths; do
    code=$(curl -s -o /dev/null -r 0-0 -w '%{http_code}' "http://127.0.0.1:$port/$path")
    case $code in
      200|206) ;;
      *) echo "error: $server answers $code for /$path; not measuring it" >&2; exit 1 ;;
    esac
  done
  # Warm up: caches, JIT.
  pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port/1k.txt" >/dev/null
  [ "$server" = canned ] || pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port/list/" >/dev/null
done
# The listing's floor: a canned loop sending the very page spidey sends.
curl -s -o "$WORK/list.html" "http://127.0.0.1:${PORT[spidey]}/list/"
CANNED_LIST_PORT=$(free_port)
start_canned "$CANNED_LIST_PORT" "$WORK/list.html"
CANNED_LIST_PID=${PIDS[-1]}
wait_http "$CANNED_LIST_PORT"
pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$CANNED_LIST_PORT/list/" >/dev/null

# One figure of a server for a workload (req/s, MB/s or ms per request;
# for req/s, then the CPU µs per request).
measure() { # server workload
  local url="http://127.0.0.1:${PORT[$1]}"
  case $2 in
    file) measure_rps_cpu "$url/1k.txt" "${PID_OF[$1]}" ;;
    list) if [ "$1" = canned ]; then
        measure_rps_cpu "http://127.0.0.1:$CANNED_LIST_PORT/list/" "$CANNED_LIST_PID"
      else measure_rps_cpu "$url/list/" "${PID_OF[$1]}"; fi ;;
    big) measure_mbps "$url/256m.bin" ;;
    cgi1) measure_cgi_ms "$url/hello.cgi" 1 ;;
    cgi8) measure_cgi_ms "$url/hello.cgi" 8 ;;
  esac
}

# Workload by workload, every server back to back, in two legs, the
# second in reverse order, so that the figures a ratio divides were taken
# seconds apart and a steady drift within the round cancels out. spidey
# runs between the canned loop and lighttpd (which side alternates by
# round), the two it is held against, so that a sudden change of the
# machine's speed is less likely to fall between their legs. A figure is
# the mean of its two legs; each round's ratios are kept, and their median
# reported.
for round in $(seq 1 "$RUNS"); do
  echo "round $round of $RUNS..." >&2
  for workload in file list big cgi1 cgi8; do
    # Odd rounds take the first order, even rounds the second.
    case $workload in
      file|list) order=(canned spidey lighttpd nginx) swapped=(lighttpd spidey canned nginx) ;;
      big) order=(nginx spidey lighttpd) swapped=(lighttpd spidey nginx) ;;
      *) order=(spidey lighttpd) swapped=(lighttpd spidey) ;;
    esac
    if [ $((round % 2)) = 1 ]; then servers=("${order[@]}"); else servers=("${swapped[@]}"); fi
    n=${#servers[@]}
    declare -A FIGURE=() CPU=()
    for leg in $(seq 0 $((2 * n - 1))); do
      server=${servers[$((leg < n ? leg : 2 * n - 1 - leg))]}
      read -r figure cpu <<< "$(measure "$server" "$workload")"
      if [ "$leg" -lt "$n" ]; then
        FIGURE[$server]=$figure
        CPU[$server]=${cpu:-}
        continue
      fi
      FIGURE[$server]=$(awk -v a="${FIGURE[$server]}" -v b="$figure" 'BEGIN {printf "%.2f", (a + b) / 2}')
      sample "$server,$workload" "${FIGURE[$server]}"
      if [ -n "${cpu:-}" ]; then
        CPU[$server]=$(awk -v a="${CPU[$server]}" -v b="$cpu" 'BEGIN {printf "%.2f", (a + b) / 2}')
        sample "$server,${workload}_cpu" "${CPU[$server]}"
      fi
    done
    sample "s/lighttpd,$workload" "$(div "${FIGURE[spidey]}" "${FIGURE[lighttpd]}")"
    if [ -n "${FIGURE[canned]:-}" ]; then
      sample "s/canned,$workload" "$(div "${FIGURE[spidey]}" "${FIGURE[canned]}")"
    fi
    if [ -n "${CPU[spidey]:-}" ]; then
      sample "s/lighttpd,${workload}_cpu" "$(div "${CPU[spidey]}" "${CPU[lighttpd]}")"
      sample "s/canned,${workload}_cpu" "$(div "${CPU[spidey]}" "${CPU[canned]}")"
      sample "s/best,${workload}_cpu" "$(div "${CPU[spidey]}" "$(awk -v a="${CPU[nginx]}" \
        -v b="${CPU[lighttpd]}" 'BEGIN {print (a < b ? a : b)}')")"
    fi
    peer=${FIGURE[lighttpd]}
    if [ -n "${FIGURE[nginx]:-}" ]; then
      peer=$(awk -v a="${FIGURE[nginx]}" -v b="$peer" -v w="$workload" \
        'BEGIN {print (w ~ /^cgi/ ? (a < b ? a : b) : (a > b ? a : b))}')
    fi
    sample "s/best,$workload" "$(div "${FIGURE[spidey]}" "$peer")"
  done
done

# How many idle connections a server is given: IDLE_CONNS, or as many as
# lighttpd can hold with this descriptor limit.
flood_count() { # server
  if [ "$1" = lighttpd ] && [ "$IDLE_CONNS" -gt "$LIGHTTPD_CONNS" ]; then
    echo "$LIGHTTPD_CONNS"
  else
    echo "$IDLE_CONNS"
  fi
}

# Opens idle keep-alive connections to a server and holds them until
# close_flood; returns 1 s after each was answered once (or failed). The
# first wave a server gets sets FIRST_WAVE_BPC: the RSS it added per
# connection (nginx and lighttpd keep that memory for the next waves).
declare -A FIRST_WAVE_BPC
open_flood() { # server
  local before=""
  [ -n "${FIRST_WAVE_BPC[$1]:-}" ] || before=$(tree_rss_kib "${PID_OF[$1]}")
  rm -f "$WORK/flood.json"
  exec 7> >(pin 1 deno run -A --quiet "$REPO_DIR/bench/connection_flood.ts" \
    --port "${PORT[$1]}" --count "$(flood_count "$1")" > "$WORK/flood.json")
  for _ in $(seq 1 600); do [ -s "$WORK/flood.json" ] && break; sleep 0.1; done
  sleep 1
  if [ -n "$before" ]; then
    FIRST_WAVE_BPC[$1]=$(awk -v a="$before" -v b="$(tree_rss_kib "${PID_OF[$1]}")" \
      -v n="$(flood_count "$1")" 'BEGIN {printf "%.0f", (b - a) * 1024 / n}')
  fi
}
close_flood() {
  exec 7>&-
  sleep 3
}

# Idle connections, in IDLE_ROUNDS rounds: for each server, wrk's p99
# without them; with them held by another server (the control: what that
# many open sockets cost this machine, whoever holds them); then with the
# server holding them itself: RSS, the run right after they opened, the
# run after that; RSS once they closed; then a burst.
declare -A HOLDER=([spidey]=nginx [nginx]=lighttpd [lighttpd]=nginx)
for round in $(seq 1 "$IDLE_ROUNDS"); do
  for server in spidey nginx lighttpd; do
    url="http://127.0.0.1:${PORT[$server]}"
    pid=${PID_OF[$server]}
    echo "idle connections, round $round of $IDLE_ROUNDS: $server..." >&2
    rss0=$(tree_rss_kib "$pid")
    sample "$server,rss0" "$rss0"
    p0=$(measure_p99_ms "$url/1k.txt")
    sample "$server,p99_0" "$p0"
    open_flood "${HOLDER[$server]}"
    elsewhere=$(measure_p99_ms "$url/1k.txt")
    sample "$server,p99_else" "$elsewhere"
    close_flood
    open_flood "$server"
    rss_idle=$(tree_rss_kib "$pid")
    sample "$server,rss_idle" "$rss_idle"
    sample "$server,bytes_per_conn" "$(awk -v a="$rss0" -v b="$rss_idle" -v n="$(flood_count "$server")" \
      'BEGIN {printf "%.0f", (b - a) * 1024 / n}')"
    # The first run meets what the wave of connections left behind (for
    # spidey: its objects, promoted by the first collections); the second
    # is the steady state with the connections held.
    sample "$server,p99_wave" "$(measure_p99_ms "$url/1k.txt")"
    held=$(measure_p99_ms "$url/1k.txt")
    sample "$server,p99_idle" "$held"
    sample "$server,held/0" "$(div "$held" "$p0")"
    sample "$server,held/else" "$(div "$held" "$elsewhere")"
    sample "$server,idle_ok" "$(sed -n 's/.*"answered":\([0-9]*\).*/\1/p' "$WORK/flood.json")"
    close_flood
    sample "$server,rss_after" "$(tree_rss_kib "$pid")"
    # SYNs the kernel dropped because an accept queue was full (nstat).
    has_nstat && nstat -n >/dev/null
    pin 1 deno run -A --quiet "$REPO_DIR/bench/connection_flood.ts" --port "${PORT[$server]}" \
      --count "$BURST_CONNS" --hold 0.1 > "$WORK/burst.json"
    has_nstat && sample "$server,burst_drops" "$(nstat | awk '$1 == "TcpExtListenOverflows" {n = $2} END {print n + 0}')"
    sample "$server,burst_ms" "$(sed -n 's/.*"answer_ms":\([0-9]*\).*/\1/p' "$WORK/burst.json")"
    sample "$server,burst_ok" "$(sed -n 's/.*"answered":\([0-9]*\).*/\1/p' "$WORK/burst.json")"
    sleep 2
  done
done

# Stop the five servers; then spidey with -w 1 and -w 2, interleaved.
stop_last # the listing's canned loop
for _ in "${SERVERS[@]}"; do stop_last; done
port1=$(free_port)
start_spidey "$port1" -w 1
port2=$(free_port)
start_spidey "$port2" -w 2
wait_http "$port1"
wait_http "$port2"
pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port1/1k.txt" >/dev/null
pin 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port2/1k.txt" >/dev/null
for round in $(seq 1 "$RUNS"); do
  sample "w1,file" "$(measure_rps "http://127.0.0.1:$port1/1k.txt")"
  sample "w2,file" "$(measure_rps "http://127.0.0.1:$port2/1k.txt")"
done
stop_last
stop_last

row() { # label key
  printf '%-26s %10s %10s %10s %10s %9s %9s %9s\n' "$1" "$(med "spidey,$2")" "$(med "nginx,$2")" \
    "$(med "lighttpd,$2")" "$(med "canned,$2")" "$(med "s/lighttpd,$2")" "$(med "s/canned,$2")" \
    "$(med "s/best,$2")"
}
printf '\n%-26s %10s %10s %10s %10s %9s %9s %9s\n' "workload" "spidey" "nginx" "lighttpd" "canned" \
  "s/lighttpd" "s/canned" "s/best"
row "1 KiB file (req/s)" file
row "  CPU µs per request" file_cpu
row "40-entry list (req/s)" list
row "  CPU µs per request" list_cpu
row "256 MiB file (MB/s)" big
row "tiny CGI ab -c1 (ms/req)" cgi1
row "tiny CGI ab -c8 (ms/req)" cgi8
echo "(medians of $RUNS rounds; in a round each workload runs on every server back to back, in two"
echo " legs of ${LEG}s (one download for the big file), the second in reverse order; a figure is the mean"
echo " of its legs; ratios are medians of each round's ratios; wrk -t1 -c50 / ab / curl on CPU 1, servers on CPU 0;"
echo " canned = bench/canned_loop.ts sending the same bytes (1 KiB, or spidey's listing page);"
echo " CPU µs per request = the server's user + system time over the requests wrk completed;"
echo " nginx has no CGI; for CGI and CPU lower is better)"
printf '\n%-10s %8s %9s %7s %8s %9s %9s %9s %8s %9s %8s %8s\n' "idle" "RSS MiB" "+idle MiB" "B/conn" \
  "p99 ms" "p99 else" "p99 wave" "p99+idle" "+idle/0" "+idle/else" "RSS aft" "burst ms"
for server in spidey nginx lighttpd; do
  r0=$(med "$server,rss0")
  r1=$(med "$server,rss_idle")
  printf '%-10s %8.1f %9.1f %7.0f %8s %9s %9s %9s %8s %9s %8.1f %8s\n' "$server" "$(div "$r0" 1024)" \
    "$(div "$r1" 1024)" "${FIRST_WAVE_BPC[$server]:--}" \
    "$(med "$server,p99_0")" "$(med "$server,p99_else")" "$(med "$server,p99_wave")" \
    "$(med "$server,p99_idle")" "$(med "$server,held/0")" "$(med "$server,held/else")" \
    "$(div "$(med "$server,rss_after")" 1024)" "$(med "$server,burst_ms")"
done
echo "(medians of $IDLE_ROUNDS rounds; $IDLE_CONNS idle keep-alive connections ($(flood_count lighttpd) on lighttpd), each"
echo " answered once ($(med spidey,idle_ok)/$(med nginx,idle_ok)/$(med lighttpd,idle_ok) were); RSS of the server and its children;"
echo " B/conn = RSS added per connection, 1 s after the first wave the server got (the control's or its"
echo " own: nginx and lighttpd keep that memory for the next); +idle MiB = RSS with its own held;"
echo " p99 else = with as many held by another server (spidey, lighttpd: nginx; nginx: lighttpd);"
echo " p99 wave = the first ${DURATION}s run 1 s after they opened on the server itself, p99+idle = the"
echo " run after it; +idle/0 and +idle/else = medians of each round's p99+idle over p99 and over p99 else;"
echo " 'RSS aft' = 3 s after they closed; burst = time to open $BURST_CONNS connections at once and get"
echo " one answer on each ($(med spidey,burst_ok)/$(med nginx,burst_ok)/$(med lighttpd,burst_ok) answered;"
echo " SYNs dropped on full accept queues: $(med spidey,burst_drops)/$(med nginx,burst_drops)/$(med lighttpd,burst_drops)))"
printf '\nspidey -w 1: %s req/s, -w 2: %s req/s (ratio %s); the 2 workers share CPU 0 (2 cores, wrk on the other)\n' \
  "$(med w1,file)" "$(med w2,file)" "$(div "$(med w2,file)" "$(med w1,file)")"

if [ -n "$JSON_OUT" ]; then
  {
    printf '{"duration_s": %s, "leg_s": %s, "runs": %s, "idle_connections": %s, "lighttpd_idle_connections": %s,' \
      "$DURATION" "$LEG" "$RUNS" "$IDLE_CONNS" "$(flood_count lighttpd)"
    printf ' "idle_rounds": %s, "burst_connections": %s' "$IDLE_ROUNDS" "$BURST_CONNS"
    printf ',\n "first_wave_bytes_per_conn": {"spidey": %s, "nginx": %s, "lighttpd": %s}' \
      "${FIRST_WAVE_BPC[spidey]:-null}" "${FIRST_WAVE_BPC[nginx]:-null}" "${FIRST_WAVE_BPC[lighttpd]:-null}"
    for key in file file_cpu list list_cpu big cgi1 cgi8 rss0 rss_idle bytes_per_conn rss_after p99_0 p99_else p99_wave p99_idle \
      held/0 held/else burst_ms burst_drops; do
      printf ',\n "%s": {' "$key"
      sep=""
      for server in "${SERVERS[@]}"; do
        value=$(med "$server,$key")
        [ "$value" = "-" ] && value=null
        printf '%s"%s": %s' "$sep" "$server" "$value"
        sep=", "
      done
      printf '}'
    done
    # Every round's figures and ratios, for the spread behind the medians.
    printf ',\n "rounds": '
    json_groups "file file_cpu list list_cpu big cgi1 cgi8" "spidey nginx lighttpd canned s/lighttpd s/canned s/best" member,group
    # Every idle round's bytes per connection, p99 figures and ratios.
    printf ',\n "idle_round_figures": '
    json_groups "spidey nginx lighttpd" "bytes_per_conn p99_0 p99_else p99_wave p99_idle held/0 held/else" group,member
    printf ',\n "workers_file_rps": {"w1": %s, "w2": %s}}\n' "$(med w1,file)" "$(med w2,file)"
  } > "$JSON_OUT"
fi
