#!/usr/bin/env bash
# Makes the container tests runnable on a CI machine that has Debian's packages but no registry:
# installs docker.io (and debootstrap, docker-compose), starts dockerd when none answers (host networking only, so --iptables=false),
# builds the images the tests need locally (cached), and says whether the container tests will run.
#
#   scripts/ci-docker.sh start [--env-file FILE]   FILE gets `export RUSHGATE_REQUIRE_DOCKER=1` when Docker
#                                                  runs, so the tests fail rather than skip; source it
#   scripts/ci-docker.sh stop                      stops the dockerd this script started (by its PID)
#
# Exits 0 with "container tests: skipped (reason)" only where dockerd cannot be had at all; once Docker
# runs, a failed image build is a CI failure (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${RUSHGATE_CACHE_DIR:-/var/cache/rushgate}
PID_FILE=$STATE_DIR/dockerd.pid
LOG_FILE=$STATE_DIR/dockerd.log

say() { printf 'ci-docker: %s\n' "$*" >&2; }
docker_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

stop_ours() {
  [ -s "$PID_FILE" ] || { say "no dockerd of ours to stop"; return 0; }
  local pid
  pid=$(cat "$PID_FILE")
  if kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/cmdline" 2>/dev/null; then
    say "stopping dockerd (PID $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then say "dockerd $pid still running after 30 s; sending SIGKILL"; kill -KILL "$pid"; fi
  fi
  rm -f "$PID_FILE"
}

skip() {
  echo "container tests: skipped ($*)"
  exit 0
}

# overlay2 copies nothing per container; vfs copies the whole image each time (seconds per start) but
# works wherever overlay mounts are not allowed.
storage_driver() {
  local d
  d=$(mktemp -d)
  mkdir -p "$d/l" "$d/u" "$d/w" "$d/m"
  if mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null; then
    umount "$d/m"
    rm -rf "$d"
    echo overlay2
  else
    rm -rf "$d"
    echo vfs
  fi
}

start() {
  local env_file=""
  if [ "${1:-}" = "--env-file" ]; then env_file=${2:?--env-file needs a path}; fi
  [ -z "$env_file" ] || : >"$env_file"
  mkdir -p "$STATE_DIR"

  local need=""
  command -v dockerd >/dev/null || need="$need docker.io"
  command -v debootstrap >/dev/null || need="$need debootstrap"
  command -v docker-compose >/dev/null || need="$need docker-compose"
  if [ -n "$need" ]; then
    command -v apt-get >/dev/null || skip "no dockerd and no apt-get to install it"
    [ "$(id -u)" = 0 ] || skip "installing$need needs root"
    say "installing Debian packages:$need"
    local apt=(apt-get)
    command -v flock >/dev/null && apt=(flock /tmp/rushgate-apt.lock apt-get)
    if ! { "${apt[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends $need; } >"$STATE_DIR/apt.log" 2>&1; then
      command -v dockerd >/dev/null || skip "docker.io could not be installed (see $STATE_DIR/apt.log)"
    fi
  fi

  if docker_answers; then
    say "a Docker engine already answers; using it (and leaving it running)"
  else
    [ "$(id -u)" = 0 ] || skip "dockerd is not running and starting it needs root"
    local driver
    driver=$(storage_driver)
    say "starting dockerd (storage $driver, no iptables; log: $LOG_FILE)"
    setsid dockerd --iptables=false --storage-driver="$driver" >"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    for _ in $(seq 1 60); do
      docker_answers && break
      kill -0 "$(cat "$PID_FILE")" 2>/dev/null || break
      sleep 0.5
    done
    if ! docker_answers; then
      say "dockerd did not come up; its last lines:"
      tail -n 15 "$LOG_FILE" >&2 || true
      stop_ours
      skip "dockerd cannot be started here (see $LOG_FILE)"
    fi
  fi
  # From here on Docker runs: the tests must run, and anything that keeps them from it fails CI.
  [ -z "$env_file" ] || echo "export RUSHGATE_REQUIRE_DOCKER=1" >>"$env_file"

  local started=$SECONDS
  if ! docker/build-local-images.sh; then
    echo "container tests: will fail (images could not be built; see above)"
    exit 1
  fi
  echo "container tests: will run (Docker $(docker version --format '{{.Server.Version}}'), images built in $((SECONDS - started)) s)"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop_ours ;;
  *) echo "usage: scripts/ci-docker.sh start [--env-file FILE] | stop" >&2; exit 2 ;;
esac
