#!/usr/bin/env bash
# build-router-image.sh — build the local NAT router image `parlance/router:local` for the NAT
# demo (docker-compose.nat.yml), from the host's Debian iptables package, without pulling.
#
# Usage:
#   scripts/build-router-image.sh               # build, or skip if up to date
#   scripts/build-router-image.sh --force       # rebuild even if up to date
#   scripts/build-router-image.sh --print-name  # print the image name and exit
#
# The image is one layer made with `docker import`: the host's xtables-nft-multi (iptables), the
# shared libraries it needs (ldd), busybox-static (sh, ip, sleep) from `apt-get download`. It
# runs the compose file's command as root; the container needs cap_add NET_ADMIN and
# net.ipv4.ip_forward=1 (sysctls).
#
# Idempotent: label parlance.router.hash, a hash of this script and the iptables binary.
#
# Requirements: a running Docker daemon (scripts/ensure-docker.sh), iptables on the host
# (apt-get install iptables), apt-get (for busybox-static).
#
# Environment (optional):
#   PARLANCE_ROUTER_IMAGE   image name (default parlance/router:local)
set -euo pipefail

IMAGE="${PARLANCE_ROUTER_IMAGE:-parlance/router:local}"
export DEBIAN_FRONTEND=noninteractive

log()  { echo "[router-image] $*"; }
fail() { echo "[router-image] ERROR: $*" >&2; exit 1; }

# shellcheck source=lib/image-build.sh
. "$(dirname "$0")/lib/image-build.sh"
image_args "$@"
need_docker
XT="$(readlink -f /usr/sbin/xtables-nft-multi 2>/dev/null || true)"
[ -x "$XT" ] || fail "xtables-nft-multi not found (apt-get install iptables)"

HASH="$( (cat "$0"; sha256sum "$XT") | sha256sum | cut -c1-32)"
if [ "$FORCE" -eq 0 ] && [ "$(image_label "$IMAGE" parlance.router.hash)" = "$HASH" ]; then
  log "$IMAGE is up to date"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
TREE="$WORK/tree"
mkdir -p "$TREE/usr/sbin" "$TREE/bin" "$TREE/etc" "$TREE/tmp" "$TREE/run"
chmod 1777 "$TREE/tmp"
cp "$XT" "$TREE/usr/sbin/xtables-nft-multi"
ln -sf xtables-nft-multi "$TREE/usr/sbin/iptables"

ldd "$XT" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$TREE$(dirname "$lib")"
  cp -L "$lib" "$TREE$lib"
done
# iptables loads its match/target extensions (MASQUERADE, conntrack state) at run time.
for dir in /usr/lib/x86_64-linux-gnu/xtables /usr/lib/xtables; do
  if [ -d "$dir" ]; then mkdir -p "$TREE$dir"; cp -a "$dir/." "$TREE$dir/"; fi
done

( cd "$WORK" && apt-get download busybox-static >/dev/null 2>&1 ) \
  || { apt-get update >/dev/null 2>&1 && ( cd "$WORK" && apt-get download busybox-static >/dev/null ); } \
  || fail "apt-get download busybox-static failed"
dpkg-deb -x "$WORK"/busybox-static_*.deb "$WORK/bb"
cp "$WORK/bb/bin/busybox" "$TREE/bin/busybox"
for applet in sh ls cat ps kill sleep echo ip grep; do
  ln -sf busybox "$TREE/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$TREE/etc/passwd"
printf 'root:x:0:\n' > "$TREE/etc/group"

tar -C "$TREE" -c . | docker import \
  --change 'ENV PATH=/usr/sbin:/usr/bin:/bin' \
  --change "LABEL parlance.router.hash=$HASH" \
  --change 'CMD ["sh"]' \
  - "$IMAGE" >/dev/null
log "built $IMAGE ($(du -sh "$TREE" | cut -f1) tree)"
