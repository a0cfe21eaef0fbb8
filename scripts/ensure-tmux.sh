#!/usr/bin/env bash
# ensure-tmux.sh — make tmux available for TerminalUiIT (the full-screen chat driven in tmux).
#
# Usage:
#   scripts/ensure-tmux.sh            # idempotent; does nothing when tmux is on PATH
#
# On a Debian machine with no one at the keyboard: apt-get update + install tmux, logging to
# $PARLANCE_APT_LOG. Without tmux the test skips itself and says why, so this is for CI.
set -euo pipefail
APT_LOG="${PARLANCE_APT_LOG:-/tmp/parlance-apt.log}"
export DEBIAN_FRONTEND=noninteractive

if command -v tmux >/dev/null 2>&1; then
  echo "[ensure-tmux] $(tmux -V) is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[ensure-tmux] ERROR: tmux is missing and there is no apt-get; install tmux by hand" >&2
  exit 1
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
echo "[ensure-tmux] installing tmux (apt-get, log in $APT_LOG)"
if ! { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends tmux; } >>"$APT_LOG" 2>&1; then
  echo "[ensure-tmux] ERROR: apt-get could not install tmux; the end of $APT_LOG:" >&2
  tail -n 20 "$APT_LOG" >&2
  exit 1
fi
echo "[ensure-tmux] $(tmux -V) installed"
