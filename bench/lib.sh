# Shared helpers for the peer-comparison benchmarks (sourced, not run).
# Loopback only; every run is bounded in time.

# REPO_DIR, ensure_packages and ensure_deno.
source "$(dirname "${BASH_SOURCE[0]}")/../experiments/measure/setup.sh"

# Runs the study's helper for these scripts: peer configuration files and
# whether processes can be pinned to CPUs (experiments/measure/bench_cli.ts).
bench_cli() {
  deno run -A --quiet --config "$REPO_DIR/deno.json" "$REPO_DIR/experiments/measure/bench_cli.ts" "$@"
}

# Asks once whether pin and spawn_pinned can pin (taskset works here and
# there are 2+ CPUs), by the study's own rule; call after ensure_deno.
detect_pinning() {
  CAN_PIN=$(bench_cli can-pin)
}

# Picks a free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something answers HTTP on 127.0.0.1:$1 (10 s at most).
wait_http() {
  local i
  for i in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "error: nothing answers on port $1" >&2
  return 1
}

# Median of the numbers on stdin.
median() {
  sort -g | awk '{a[NR]=$1} END {if (NR==0) {print 0} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'
}

# Requests/s that wrk reports.
wrk_rps() {
  awk '/^Requests\/sec:/ {print $2}'
}

# Pins a command to one CPU when detect_pinning said it can.
pin() {
  local cpu=$1
  shift
  if [ "${CAN_PIN:?call detect_pinning first}" = yes ]; then
    taskset -c "$cpu" "$@"
  else
    "$@"
  fi
}

# Starts a command in the background pinned to one CPU; appends its PID to
# the PIDS array (the PID of the command itself, so kill reaches it).
spawn_pinned() {
  local cpu=$1
  shift
  if [ "${CAN_PIN:?call detect_pinning first}" = yes ]; then
    taskset -c "$cpu" "$@" &
  else
    "$@" &
  fi
  PIDS+=($!)
}

# Stops the last started background command and waits for it.
stop_last() {
  local pid=${PIDS[-1]}
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}

# Reads the options both comparison scripts take into DURATION, RUNS and
# JSON_OUT (DURATION keeps the caller's default); -h prints the script's
# header comment. Call as: parse_bench_options "$@"
parse_bench_options() {
  RUNS=${RUNS:-3}
  JSON_OUT=""
  while [ $# -gt 0 ]; do
    case $1 in
      --duration) DURATION=$2; shift 2 ;;
      --runs) RUNS=$2; shift 2 ;;
      --json) JSON_OUT=$2; shift 2 ;;
      -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
      *) echo "error: unknown option $1" >&2; exit 2 ;;
    esac
  done
}

# Makes the scratch folder WORK (named after $1) and the PIDS array, and
# stops every process in PIDS and removes WORK when the script ends.
make_bench_workdir() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  PIDS=()
  trap stop_bench_processes EXIT INT TERM
}

stop_bench_processes() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# Requests wrk completed ("N requests in ...").
wrk_requests() {
  awk '/ requests in / {print $1}'
}

# A process and all its descendants, one PID per line.
tree_pids() {
  local pids=("$1") i=0 child
  while [ $i -lt ${#pids[@]} ]; do
    for child in $(cat "/proc/${pids[$i]}/task/"*/children 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  printf '%s\n' "${pids[@]}"
}

# Sums one figure over a process and its descendants: what the awk program
# $3 prints from each one's /proc/PID/$2 (0 for a process already gone).
tree_sum() { # pid file program
  local pid total=0 value
  for pid in $(tree_pids "$1"); do
    value=$(awk "$3" "/proc/$pid/$2" 2>/dev/null || true)
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

# User + system CPU time of a process and its descendants (all their
# threads) in clock ticks.
tree_cpu_ticks() {
  tree_sum "$1" stat '{print $14 + $15}'
}

# Resident memory of a process and all its descendants, in KiB (VmRSS).
tree_rss_kib() {
  tree_sum "$1" status '/^VmRSS:/ {print $2}'
}
