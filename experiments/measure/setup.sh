# What a measurement needs before it starts (sourced, not run): the
# repository's path, Deno, and the Debian packages of the peers and tools.
# Used by experiments/run_study.sh and, through bench/lib.sh, by bench/.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Installs Debian packages that are missing (needs root, as on CI machines).
# Each argument is PACKAGE:COMMAND, the command telling whether it is there.
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

# Makes sure deno is there (installed from npm like .ci/run does).
ensure_deno() {
  if ! command -v deno >/dev/null 2>&1; then
    npm install -g deno@2.9.6 >/dev/null 2>&1 || {
      echo "error: could not install deno from npm" >&2
      exit 1
    }
  fi
}
