# Shared helpers for the peer-comparison benchmarks (sourced, not run).
# Loopback only; every run is bounded in time.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs Debian packages that are missing (needs root, as on CI machines).
ensure_packages() {
  local missing=()
  local pkg bin
  for spec in "$@"; do
    pkg=${spec%%:*}
    bin=${spec##*:}
    command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from Debian packages..." >&2
    if [ "$(id -u)" -ne 0 ]; then
      echo "error: need root to apt-get install ${missing[*]}" >&2
      exit 1
    fi
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
      echo "error: apt-get install ${missing[*]} failed" >&2
      exit 1
    }
  fi
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

# Pins a command to one CPU when taskset exists and there are 2+ CPUs.
pin() {
  local cpu=$1
  shift
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
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
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
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

# Makes sure deno is there (installed from npm like .ci/run does).
ensure_deno() {
  if ! command -v deno >/dev/null 2>&1; then
    npm install -g deno@2.9.6 >/dev/null 2>&1 || {
      echo "error: could not install deno from npm" >&2
      exit 1
    }
  fi
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

# Writes $WORK/nginx/nginx.conf for one worker in the foreground, keeping
# every file nginx writes inside $WORK/nginx; the http block gets the
# lines on stdin (directives and a server block). Prints the file's path.
write_nginx_conf() {
  local dir=$WORK/nginx
  mkdir -p "$dir"
  {
    cat <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
CONF
    sed 's/^/  /'
    echo "}"
  } > "$dir/nginx.conf"
  echo "$dir/nginx.conf"
}

