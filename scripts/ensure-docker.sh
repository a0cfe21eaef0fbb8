#!/usr/bin/env bash
# ensure-docker.sh — make a Docker engine and docker-compose v1 available, unattended.
#
# Usage:
#   scripts/ensure-docker.sh            # idempotent; safe to run any number of times
#
# Meant for CI and for the integration tests on a brand-new Debian machine with
# no one at the keyboard (see shared DOCKER.md for why it is done this way):
#   1. if `docker info` already answers, there is nothing to do (exit 0);
#   2. if `dockerd` is not installed: apt-get update + install docker.io
#      (engine 20.10) and docker-compose (v1, the `docker-compose` command);
#   3. if `docker-compose` is missing: install it the same way;
#   4. if no daemon answers: start `dockerd` in the background (nohup + setsid,
#      so it outlives this script), logging to $PARLANCE_DOCKERD_LOG;
#   5. wait (bounded) until `docker info` answers, else fail with the log tail.
#
# Environment (all optional):
#   PARLANCE_DOCKERD_LOG      dockerd log file      (default /tmp/parlance-dockerd.log)
#   PARLANCE_DOCKER_TIMEOUT   seconds to wait       (default 60)
#   PARLANCE_DOCKERD_ARGS     extra dockerd args    (default none)
#   PARLANCE_APT_LOG          apt-get output        (default /tmp/parlance-apt.log)
#
# Building: the v28 client in /usr/local/bin fails with BuildKit ("buildx
# component is missing") and docker-compose v1 builds through the first `docker`
# on PATH, so whoever builds must use the classic builder:
#   export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
# This script exports both (useful if it is sourced) and prints that reminder.
set -euo pipefail

LOG_FILE="${PARLANCE_DOCKERD_LOG:-/tmp/parlance-dockerd.log}"
TIMEOUT="${PARLANCE_DOCKER_TIMEOUT:-60}"
DOCKERD_ARGS="${PARLANCE_DOCKERD_ARGS:-}"
APT_LOG="${PARLANCE_APT_LOG:-/tmp/parlance-apt.log}"

export DOCKER_BUILDKIT=0
export COMPOSE_DOCKER_CLI_BUILD=0
export DEBIAN_FRONTEND=noninteractive

log()  { echo "[ensure-docker] $*"; }
fail() { echo "[ensure-docker] ERROR: $*" >&2; exit 1; }

# sbin directories are not on every PATH (non-root shells), but dockerd lives there.
case ":$PATH:" in *":/usr/sbin:"*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

# Run a command as root: directly if we are root, else through sudo if it exists.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n env DEBIAN_FRONTEND=noninteractive "$@" \
      || fail "'sudo -n $*' failed (passwordless sudo is required when not root)"
  else
    fail "need root for '$*', and sudo is not installed"
  fi
}

docker_ok() {
  command -v docker >/dev/null 2>&1 || return 1
  # A non-root user may need sudo to reach the socket; accept either.
  timeout 15 docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    timeout 15 sudo -n docker info >/dev/null 2>&1 && return 0
  fi
  return 1
}

# apt-get's chatter goes to $APT_LOG; on failure its tail is shown.
apt_fail() {
  echo "[ensure-docker] ERROR: $1; last lines of $APT_LOG:" >&2
  tail -n 30 "$APT_LOG" >&2 2>/dev/null || true
  exit 1
}
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: this script supports Debian/Ubuntu only"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update (output: $APT_LOG)"
    as_root apt-get -o DPkg::Lock::Timeout=300 update >>"$APT_LOG" 2>&1 \
      || apt_fail "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install -y $* (output: $APT_LOG)"
  as_root apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@" >>"$APT_LOG" 2>&1 \
    || apt_fail "apt-get install $* failed"
}

finish() {
  log "docker: $(docker version --format 'client {{.Client.Version}}, server {{.Server.Version}}' 2>/dev/null || echo '?')"
  log "docker-compose: $(docker-compose version --short 2>/dev/null || echo 'not found')"
  log "when building, use: export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0"
}

# --- step 1: already working? ---------------------------------------------
if docker_ok && command -v docker-compose >/dev/null 2>&1; then
  log "docker daemon answers and docker-compose is present: nothing to do"
  finish
  exit 0
fi

# --- step 2: engine ---------------------------------------------------------
if command -v dockerd >/dev/null 2>&1; then
  log "dockerd is installed: $(command -v dockerd)"
else
  log "dockerd not installed: installing docker.io and docker-compose"
  apt_install docker.io docker-compose
  command -v dockerd >/dev/null 2>&1 || fail "dockerd still not found after installing docker.io"
fi

# --- step 3: compose v1 -----------------------------------------------------
if command -v docker-compose >/dev/null 2>&1; then
  log "docker-compose is installed: $(command -v docker-compose)"
else
  log "docker-compose not installed: installing it"
  apt_install docker-compose
  command -v docker-compose >/dev/null 2>&1 || fail "docker-compose still not found after install"
fi

# The docker.io package brings /usr/bin/docker; a client must exist either way.
command -v docker >/dev/null 2>&1 || apt_install docker.io
command -v docker >/dev/null 2>&1 || fail "no docker client found on PATH"

# --- step 4: daemon ---------------------------------------------------------
if docker_ok; then
  log "docker daemon already answers"
else
  # Do not start a second daemon: one may be starting (pid file + live process).
  running_pid=""
  if [ -s /var/run/docker.pid ]; then
    p="$(cat /var/run/docker.pid 2>/dev/null || true)"
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then running_pid="$p"; fi
  fi
  if [ -n "$running_pid" ]; then
    log "dockerd already running (pid $running_pid) but not answering yet: waiting for it"
  else
    log "starting dockerd in the background (log: $LOG_FILE)"
    dockerd_bin="$(command -v dockerd)"
    # shellcheck disable=SC2086  # DOCKERD_ARGS is intentionally word-split
    if [ "$(id -u)" -eq 0 ]; then
      nohup setsid "$dockerd_bin" $DOCKERD_ARGS >>"$LOG_FILE" 2>&1 </dev/null &
    elif command -v sudo >/dev/null 2>&1; then
      : >>"$LOG_FILE" || fail "cannot write $LOG_FILE"
      nohup sudo -n setsid "$dockerd_bin" $DOCKERD_ARGS >>"$LOG_FILE" 2>&1 </dev/null &
    else
      fail "need root to start dockerd, and sudo is not installed"
    fi
    log "dockerd launched (pid $!)"
  fi

  # --- step 5: wait ---------------------------------------------------------
  log "waiting up to ${TIMEOUT}s for the docker daemon"
  deadline=$(( $(date +%s) + TIMEOUT ))
  until docker_ok; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "[ensure-docker] ERROR: docker daemon did not answer within ${TIMEOUT}s; last lines of $LOG_FILE:" >&2
      tail -n 40 "$LOG_FILE" >&2 2>/dev/null || echo "(no log at $LOG_FILE)" >&2
      exit 1
    fi
    sleep 1
  done
  log "docker daemon answers"
fi

finish
