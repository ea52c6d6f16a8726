#!/bin/sh
# Installs what rushgate needs on a fresh Debian/Ubuntu machine, like `playwright install --with-deps`:
# Debian packages (RabbitMQ; the Cairo/Pango headers `canvas` compiles against, since no prebuilt binary
# can be downloaded), then npm dependencies. Says what it installs; does nothing when all is there.
#   sh scripts/bootstrap.sh          what `npm run incident` needs
#   sh scripts/bootstrap.sh --test   also what `npm test` needs (Chromium for the report test, python3-pika
#                                    for the pika test target)
set -eu
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'bootstrap: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))."
  exit 3
fi

# Debian packages: runtime first, test-only extras when asked.
pkgs="rabbitmq-server build-essential pkg-config python3 libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev"
[ "$want_test" = 1 ] && pkgs="$pkgs chromium wrk python3-pika"

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "these Debian/Ubuntu packages are needed:$missing"
    say "this machine has no apt-get: install the equivalents (RabbitMQ 3.10+ with its management and"
    say "prometheus plugins; Cairo, Pango, libjpeg, giflib, librsvg headers), then run this again."
    exit 3
  fi
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    say "these Debian packages are missing:$missing"
    say "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing"
    exit 3
  fi
  say "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  say "installed:$missing"
fi

# npm dependencies: `npm ci` when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci; canvas compiles from source, about a minute)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! node -e "require('canvas')" >/dev/null 2>&1; then
  say "rebuilding canvas against the Cairo libraries"
  npm rebuild canvas --loglevel=error
fi
