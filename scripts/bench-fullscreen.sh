#!/usr/bin/env bash
# bench-fullscreen.sh — how long the full-screen chat takes from exec to ready, as a user sees it:
# a tmux window runs ./parlance, and its screen is captured every 10 ms until the status shows
# "listening on TCP port" (the node is up and the screen drawn). Repeated; prints each run and the
# median. Several checkouts are measured in interleaved rounds, so drift on the machine hits each
# alike (compare figures within one run of this script only).
#
# Usage:
#   scripts/bench-fullscreen.sh [RUNS] [CHECKOUT...]     (default: 10 runs of this checkout)
#   e.g. scripts/bench-fullscreen.sh 10 /tmp/before .    (each checkout's ./parlance, built first)
#
# Every run of a checkout uses that checkout's one profile (XDG_* in a scratch directory), as a
# returning user does, with --interface lo and a random multicast port: nothing leaves the machine.
# tmux's own part (a new window, the captures) is about 12-14 ms and is included.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
shift || true
checkouts=("$@")
[[ ${#checkouts[@]} -eq 0 ]] && checkouts=("$here")
command -v tmux >/dev/null || { echo "bench-fullscreen: needs tmux (scripts/ensure-tmux.sh)" >&2; exit 1; }
scratch="$(mktemp -d)"
socket="parlance-bench-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$scratch"' EXIT
tmux -L "$socket" -f /dev/null new-session -d -s bench -x 100 -y 30
declare -A times
for c in "${!checkouts[@]}"; do
  dir="$(cd "${checkouts[$c]}" && pwd)"
  checkouts[$c]="$dir"
  mkdir -p "$scratch/$c"
  # Builds and trains the class data archive once, outside the measured runs.
  env XDG_DATA_HOME="$scratch/$c/data" XDG_STATE_HOME="$scratch/$c/state" XDG_CONFIG_HOME="$scratch/$c/config" \
    "$dir/parlance" --version >/dev/null
done
measure() { # checkout-index run-number -> prints ms
  local c="$1" i="$2" dir="${checkouts[$1]}" start end
  local env="XDG_DATA_HOME=$scratch/$c/data XDG_STATE_HOME=$scratch/$c/state XDG_CONFIG_HOME=$scratch/$c/config"
  start=$(date +%s%N)
  tmux -L "$socket" new-window -d -t bench -n "run" \
    "env $env $(printf '%q' "$dir/parlance") --interface lo --multicast-port $((40000 + RANDOM % 10000)) --nickname fs$c$i"
  local deadline=$((start + 20000000000))
  until tmux -L "$socket" capture-pane -p -t bench:run 2>/dev/null | grep -q "listening on TCP port"; do
    sleep 0.01
    if (($(date +%s%N) > deadline)); then
      echo "bench-fullscreen: no ready screen in 20 s from ${checkouts[$c]}" >&2
      tmux -L "$socket" capture-pane -p -t bench:run >&2 || true
      exit 1
    fi
  done
  end=$(date +%s%N)
  tmux -L "$socket" send-keys -t bench:run "/quit" Enter
  for _ in $(seq 200); do
    tmux -L "$socket" list-windows -t bench -F '#W' | grep -qx run || break
    sleep 0.05
  done
  tmux -L "$socket" kill-window -t bench:run 2>/dev/null || true
  echo $(((end - start) / 1000000))
}
for i in $(seq "$runs"); do
  for c in "${!checkouts[@]}"; do
    ms=$(measure "$c" "$i")
    times[$c]+="$ms "
    echo "run $i ${checkouts[$c]}: ${ms} ms"
  done
done
for c in "${!checkouts[@]}"; do
  read -r -a t <<<"${times[$c]}"
  sorted=($(printf '%s\n' "${t[@]}" | sort -n))
  echo "median ${checkouts[$c]}: ${sorted[$((${#sorted[@]} / 2))]} ms (min ${sorted[0]}, max ${sorted[-1]}) over $runs runs"
done
