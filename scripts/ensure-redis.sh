#!/usr/bin/env bash
# ensure-redis.sh — make Debian's redis-server (and redis-cli) available, unattended.
#
# Usage:
#   scripts/ensure-redis.sh            # idempotent; safe to run any number of times
#
# The cluster tests (bootstrap-server, io.parlance.bootstrap.cluster) start their own
# redis-server on a free loopback port with a temporary directory; they need only the binary.
#   1. if `redis-server` is on PATH, there is nothing to do (exit 0);
#   2. else apt-get update + apt-get install redis-server (Debian's package; the packaged
#      service is not started or enabled by this script: the tests start their own).
# The tests skip, saying why, when no redis-server can be found.
#
# Environment (optional):
#   PARLANCE_APT_LOG   apt-get output (default /tmp/parlance-apt.log)
set -euo pipefail

APT_LOG="${PARLANCE_APT_LOG:-/tmp/parlance-apt.log}"
export DEBIAN_FRONTEND=noninteractive

log()  { echo "[ensure-redis] $*"; }
fail() { echo "[ensure-redis] ERROR: $*" >&2; exit 1; }

if command -v redis-server >/dev/null 2>&1; then
  log "redis-server found: $(redis-server --version | head -1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: install redis-server by hand"
  SUDO="sudo"
fi

log "installing Debian's redis-server (apt output: $APT_LOG)"
# policy-rc.d 101: the package's own service is not started on install (no daemon on 6379).
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  ADDED_POLICY=1
fi
cleanup() { if [ -n "$ADDED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT
$SUDO apt-get update >>"$APT_LOG" 2>&1 || fail "apt-get update failed (see $APT_LOG)"
$SUDO apt-get install -y --no-install-recommends redis-server redis-tools >>"$APT_LOG" 2>&1 \
  || fail "apt-get install redis-server failed (see $APT_LOG)"
command -v redis-server >/dev/null 2>&1 || fail "redis-server still not on PATH after install"
log "installed: $(redis-server --version | head -1)"
