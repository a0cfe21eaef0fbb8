#!/usr/bin/env bash
# bench-start.sh — how long the client takes from exec to a ready chat (its 'ready' event in
# --json mode, printed once it listens and announces), repeated; prints each run and the median.
#
# Usage:
#   scripts/bench-start.sh [RUNS] [-- extra java options]
#   e.g. scripts/bench-start.sh 10 -- -XX:SharedArchiveFile=parlance-client/target/parlance.jsa
#
# Each run uses a fresh profile directory (XDG_*), --interface lo and a random multicast port, so
# nothing leaves the machine and no run finds another's peers. With SAME_PROFILE=1 every run uses
# the first run's profile, as a returning user does (its identity key and store already made).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="${PARLANCE_JAR:-$root/parlance-client/target/parlance.jar}"
runs="${1:-10}"
shift || true
[[ "${1:-}" == "--" ]] && shift
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
times=()
cpus=()
for i in $(seq "$runs"); do
  dir="$scratch/$i"
  [[ "${SAME_PROFILE:-0}" == 1 ]] && dir="$scratch/1"
  mkdir -p "$dir"
  start=$(date +%s%N)
  coproc PEER { exec env XDG_DATA_HOME="$dir/data" XDG_STATE_HOME="$dir/state" XDG_CONFIG_HOME="$dir/config" \
      java "$@" -jar "$jar" --json --interface lo --multicast-port $((40000 + RANDOM % 10000)) \
      --nickname "start$i" --log-level warn 2>"$dir/stderr"; }
  while IFS= read -r line <&"${PEER[0]}"; do
    if [[ "$line" == *'"event":"ready"'* ]]; then
      break
    fi
  done
  end=$(date +%s%N)
  # CPU time so far (user + system, in clock ticks), which load on the machine does not inflate.
  read -r -a stat < "/proc/$PEER_PID/stat"
  cpu=$(( (stat[13] + stat[14]) * 1000 / $(getconf CLK_TCK) ))
  cpus+=("$cpu")
  echo "/quit" >&"${PEER[1]}" || true
  wait "$PEER_PID" 2>/dev/null || true
  ms=$(( (end - start) / 1000000 ))
  times+=("$ms")
  echo "run $i: ${ms} ms wall, ${cpu} ms CPU"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
cpusorted=($(printf '%s\n' "${cpus[@]}" | sort -n))
echo "median: ${sorted[$(( ${#sorted[@]} / 2 ))]} ms wall (min ${sorted[0]}, max ${sorted[-1]}), ${cpusorted[$(( ${#cpusorted[@]} / 2 ))]} ms CPU, over $runs runs"
