#!/usr/bin/env bash
# Builds, without any registry, the images the container path needs:
#   rushgate/bookworm:local   Debian bookworm minbase root file system (debootstrap), imported
#   rushgate/rabbitmq:local   Debian's rabbitmq-server with management + prometheus plugins
#   rushgate/node:20-local    the base above plus this machine's Node 20 (stand-in for node:20-bookworm-slim)
#   rushgate/service:local    the repo's Dockerfile (reference service) on that Node base
# The debootstrap tarball is cached outside the repo and Docker's layer cache does the rest, so a second
# run takes seconds. Needs: a running Docker engine, debootstrap, Debian's package mirror, npm's registry.
#   docker/build-local-images.sh [--only broker|service]
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE_DIR=${RUSHGATE_CACHE_DIR:-/var/cache/rushgate}
MIRROR=${RUSHGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
. docker/images.env
BASE_IMAGE=$RUSHGATE_LOCAL_BASE_IMAGE
BROKER_IMAGE=$RUSHGATE_LOCAL_BROKER_IMAGE
NODE_IMAGE=$RUSHGATE_LOCAL_NODE_IMAGE
SERVICE_IMAGE=$RUSHGATE_LOCAL_SERVICE_IMAGE
BASE_TAR=$CACHE_DIR/bookworm-minbase.tar

only=${2:-}
[ "${1:-}" = "--only" ] || only=""

say() { printf 'build-local-images: %s\n' "$*" >&2; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# The Docker 28 CLI would ask for buildx, which Debian's docker.io lacks; the classic builder does it all.
build() {
  if ! DOCKER_BUILDKIT=0 docker build --network host --force-rm --label rushgate.local=1 "$@" >"$CACHE_DIR/build.log" 2>&1; then
    tail -n 25 "$CACHE_DIR/build.log" >&2
    say "docker build $* failed (full log: $CACHE_DIR/build.log)"
    exit 3
  fi
}

mkdir -p "$CACHE_DIR"

if ! image_exists "$BASE_IMAGE"; then
  if [ ! -s "$BASE_TAR" ]; then
    command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install -y debootstrap"; exit 3; }
    rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    say "debootstrap bookworm (minbase) from $MIRROR: about 3 minutes, once"
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
      { say "debootstrap failed; see $CACHE_DIR/debootstrap.log"; exit 3; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$BASE_TAR.partial" . && mv "$BASE_TAR.partial" "$BASE_TAR"
    rm -rf "$rootfs"
    trap - EXIT
  fi
  say "importing $BASE_TAR as $BASE_IMAGE"
  docker import "$BASE_TAR" "$BASE_IMAGE" >/dev/null
fi

if [ "$only" != service ]; then
  say "building $BROKER_IMAGE (Debian rabbitmq-server; layer-cached after the first time)"
  build --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$BROKER_IMAGE" docker/rabbitmq
fi

if [ "$only" != broker ]; then
  # Rebuilt only when the node binary, npm, the CA bundle or the Dockerfile changed.
  ca=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
  [ -s "$ca" ] || ca=/dev/null
  npm_root=$(npm root -g)/npm
  node_key=$(cat "$(command -v node)" "$npm_root/package.json" "$ca" docker/node20/Dockerfile | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "rushgate.key"}}' "$NODE_IMAGE" 2>/dev/null)" != "$node_key" ]; then
    say "building $NODE_IMAGE from this machine's node $(node --version)"
    ctx=$(mktemp -d)
    trap 'rm -rf "$ctx"' EXIT
    cp "$(command -v node)" "$ctx/node"
    cp -r "$npm_root" "$ctx/npm"
    cp "$ca" "$ctx/ca-certificates.crt"
    build --build-arg BASE_IMAGE="$BASE_IMAGE" --label rushgate.key="$node_key" -t "$NODE_IMAGE" -f docker/node20/Dockerfile "$ctx"
    rm -rf "$ctx"
    trap - EXIT
  fi
  say "building $SERVICE_IMAGE from ./Dockerfile"
  build --build-arg NODE_IMAGE="$NODE_IMAGE" -t "$SERVICE_IMAGE" .
fi

# Earlier builds of these tags, now untagged, are no use to anyone (only ours: they carry the label).
docker image prune -f --filter label=rushgate.local=1 >/dev/null
say "ready: $(docker image ls --format '{{.Repository}}:{{.Tag}} ({{.Size}})' | grep '^rushgate/' | tr '\n' ' ')"
