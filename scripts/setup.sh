#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for Peakboard: checks Node, installs nats-server (and
# Chromium for the browser tests, unless --no-browser) from the OS packages when missing,
# installs the npm dependencies from the lockfile, and builds the board.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) want_browser=0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# 1. Node 20.19+ (Vite 8 and the ESM loader need it).
if ! command -v node >/dev/null 2>&1; then
  say "Node.js is missing. Install Node 20 LTS (https://nodejs.org or your package manager) and run again."; exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  say "Node $(node --version) is too old: Peakboard needs Node >= 20.19."; exit 1; }

# 2. OS packages: nats-server (always), chromium (browser tests).
apt_install() {
  local pkgs=("$@")
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      say "installing ${pkgs[*]} with apt-get"
      $sudo apt-get update -qq || true
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}"
      return 0
    fi
  fi
  return 1
}
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  apt_install nats-server || {
    say "nats-server is missing and could not be installed automatically."
    say "Install it: Debian/Ubuntu 'sudo apt-get install -y nats-server'; macOS 'brew install nats-server';"
    say "or point Peakboard at an existing JetStream server with NATS_URL=nats://host:4222."
    exit 1; }
fi
if [ "$want_browser" = 1 ]; then
  browser_pkgs=()
  [ -x /usr/bin/chromium ] || browser_pkgs+=(chromium)
  # A CJK font, so the zh-CN board renders its labels (and screenshots show them).
  ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1 || browser_pkgs+=(fonts-wqy-microhei)
  if [ "${#browser_pkgs[@]}" -gt 0 ]; then
    apt_install "${browser_pkgs[@]}" || say "could not install ${browser_pkgs[*]}: the browser tests will be skipped."
  fi
fi

# 3. npm dependencies, exactly as locked (re-run only when the lockfile changed).
stamp=node_modules/.peakboard-lock-hash
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

# 4. Build the board (static files served by the server at /board).
say "building the board"
npm run -s build >/dev/null
say "ready"
