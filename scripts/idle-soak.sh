#!/usr/bin/env bash
# Idle soak of internet mode: a bootstrap server on 127.0.0.1 and two peers (alice, bob) in
# --mode internet with default timers, left alone for MINUTES (default 60), then stopped. Prints
# how many times each peer registered and saw the other leave, from their logs,
# and the server's registration and dead-connection counters. Everything stops by itself.
#   scripts/idle-soak.sh [MINUTES]     (builds nothing: run ./parlance --help and
#                                       ./bootstrap-server.sh --help once first to build the jars)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-60}"
work="$(mktemp -d /tmp/parlance-idle-soak.XXXXXX)"
client_jar="$root/parlance-client/target/parlance.jar"
server_jar="$root/bootstrap-server/target/bootstrap-server.jar"
for j in "$client_jar" "$server_jar"; do
  [[ -f "$j" ]] || { echo "idle-soak: $j is missing; build it first" >&2; exit 1; }
done
cp "$client_jar" "$server_jar" "$work/"
port=$(( 20000 + RANDOM % 20000 ))
echo "[idle-soak] $minutes min in $work, server on 127.0.0.1:$port"
timeout -s TERM "${minutes}m" java -Xmx128m -Duser.home="$work/server" \
  -jar "$work/bootstrap-server.jar" --host 127.0.0.1 --port "$port" > "$work/server.log" 2>&1 &
server=$!
sleep 3
pids=()
for n in alice bob; do
  mkdir -p "$work/$n"
  XDG_DATA_HOME="$work/$n" XDG_STATE_HOME="$work/$n" XDG_CONFIG_HOME="$work/$n" \
    timeout -s TERM "${minutes}m" java -Xmx128m -Duser.home="$work/$n" -jar "$work/parlance.jar" \
    daemon --nickname "$n" --mode internet --bootstrap "ws://127.0.0.1:$port" \
    --data-dir "$work/$n/profile" > "$work/$n.log" 2>&1 &
  pids+=("$!")
done
sleep $(( minutes * 60 - 20 ))
curl -s --max-time 5 "http://127.0.0.1:$port/metrics" > "$work/metrics.txt" || true
wait "${pids[@]}" "$server" || true
for n in alice bob; do
  echo "[idle-soak] $n: registered $(grep -c "Registered '$n'" "$work/$n.log" || true)x" \
    "(1 = never re-registered), saw a peer leave $(grep -c 'Peer .* left (' "$work/$n.log" || true)x"
done
grep -E 'registrations_total\{result="registered"\}|closed_total\{reason="dead"\}' \
  "$work/metrics.txt" | sed 's/^/[idle-soak] server: /' || true
