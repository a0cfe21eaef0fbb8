#!/usr/bin/env bash
# Measures the bootstrap server under load on this machine (loopback only, bounded, self-stopping):
# starts the shaded server with -Xmx1g on 127.0.0.1:18090, registers CLIENTS WebSocket clients
# from 127.0.0.2... with the load tool, prints registrations/s and the server's heap and RSS,
# then stops the server.
#
#   scripts/bootstrap-load.sh CLIENTS [true|false]     (events: subscribe to join/leave or not)
#
# Each process needs one file descriptor per connection: CLIENTS is capped by `ulimit -Hn`.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-10000}
events=${2:-true}
ulimit -n "$(ulimit -Hn)"
if (( clients + 200 > $(ulimit -n) )); then
  echo "CLIENTS=$clients needs more than ulimit -n = $(ulimit -n) file descriptors per process" >&2
  exit 2
fi
mvn -B -q -DskipTests -pl bootstrap-server -am package test-compile >&2
log=$(mktemp -d)
java -Xmx1g -jar bootstrap-server/target/bootstrap-server.jar --host 127.0.0.1 --port 18090 \
  --max-connections-per-ip 100000 --registrations-per-second 100000 \
  --registration-burst 100000 --dead-after 120s >"$log/server.out" 2>"$log/server.err" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$log"' EXIT
for _ in $(seq 1 100); do grep -q listening "$log/server.out" && break; sleep 0.2; done
timeout 900 java -Xmx2g \
  -cp bootstrap-server/target/test-classes:bootstrap-server/target/bootstrap-server.jar \
  io.parlance.bootstrap.load.LoadTool --port 18090 --clients "$clients" --events "$events" \
  --server-pid "$server" --deadline 600 --hold 5
