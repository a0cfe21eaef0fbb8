#!/usr/bin/env bash
# build-redis-image.sh — build the local Redis image `parlance/redis:local` from Debian's
# redis-server package, without pulling anything from a registry.
#
# Usage:
#   scripts/build-redis-image.sh               # build, or skip if up to date
#   scripts/build-redis-image.sh --force       # rebuild even if up to date
#   scripts/build-redis-image.sh --print-name  # print the image name and exit
#
# Why: no image registry can be reached on CI/dev machines, so `redis:7` cannot be pulled there.
# docker-compose.cluster.yml takes `REDIS_IMAGE` (default redis:7 for users); CI and the tests
# pass REDIS_IMAGE=parlance/redis:local.
#
# The image is one layer made with `docker import` from a directory tree: Debian's
# /usr/bin/redis-server (scripts/ensure-redis.sh installs it), the shared libraries it needs
# (found with ldd), busybox-static for a shell (from `apt-get download`), /etc/passwd and /data.
# Env: PATH=/usr/bin:/bin; the command is `redis-server` with the compose file's arguments.
#
# Idempotent: the image carries the label parlance.redis.hash, a hash of this script and the
# redis-server binary; when the image exists with the same hash the build is skipped.
#
# Requirements: a running Docker daemon (scripts/ensure-docker.sh), redis-server on PATH
# (scripts/ensure-redis.sh), apt-get (for busybox-static).
#
# Environment (optional):
#   PARLANCE_REDIS_IMAGE   image name (default parlance/redis:local)
set -euo pipefail

IMAGE="${PARLANCE_REDIS_IMAGE:-parlance/redis:local}"
export DEBIAN_FRONTEND=noninteractive

log()  { echo "[redis-image] $*"; }
fail() { echo "[redis-image] ERROR: $*" >&2; exit 1; }

# shellcheck source=lib/image-build.sh
. "$(dirname "$0")/lib/image-build.sh"
image_args "$@"
need_docker
REDIS="$(command -v redis-server || true)"
[ -n "$REDIS" ] || fail "redis-server not found (run scripts/ensure-redis.sh)"
REDIS="$(readlink -f "$REDIS")"

HASH="$( (cat "$0"; sha256sum "$REDIS") | sha256sum | cut -c1-32)"
if [ "$FORCE" -eq 0 ] && [ "$(image_label "$IMAGE" parlance.redis.hash)" = "$HASH" ]; then
  log "$IMAGE is up to date"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
TREE="$WORK/tree"
mkdir -p "$TREE/usr/bin" "$TREE/bin" "$TREE/etc" "$TREE/data" "$TREE/tmp"
chmod 1777 "$TREE/tmp"
cp "$REDIS" "$TREE/usr/bin/redis-server"

# The libraries and the loader, at the paths ldd gives.
ldd "$REDIS" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$TREE$(dirname "$lib")"
  cp -L "$lib" "$TREE$lib"
done

# A shell, for `docker exec` and health checks.
( cd "$WORK" && apt-get download busybox-static >/dev/null 2>&1 ) \
  || { apt-get update >/dev/null 2>&1 && ( cd "$WORK" && apt-get download busybox-static >/dev/null ); } \
  || fail "apt-get download busybox-static failed"
dpkg-deb -x "$WORK"/busybox-static_*.deb "$WORK/bb"
cp "$WORK/bb/bin/busybox" "$TREE/bin/busybox"
for applet in sh ls cat ps kill sleep echo; do
  ln -sf busybox "$TREE/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999:redis:/data:/bin/sh\n' > "$TREE/etc/passwd"
printf 'root:x:0:\nredis:x:999:\n' > "$TREE/etc/group"

tar -C "$TREE" -c . | docker import \
  --change 'ENV PATH=/usr/bin:/bin' \
  --change 'WORKDIR /data' \
  --change 'EXPOSE 6379' \
  --change "LABEL parlance.redis.hash=$HASH" \
  --change 'CMD ["redis-server"]' \
  - "$IMAGE" >/dev/null
log "built $IMAGE ($(du -sh "$TREE" | cut -f1) tree) from Debian's redis-server $("$TREE/usr/bin/redis-server" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
