#!/usr/bin/env bash
# Measures the bootstrap server under load on this machine (loopback only, bounded, self-stopping):
# starts the shaded server with -Xmx1g on 127.0.0.1:18090, registers CLIENTS WebSocket clients
# from 127.0.0.2... with the load tool, prints registrations/s and the server's heap and RSS (and,
# when asked, the cost of joins as the registry grows and lookup latency), then stops the server.
#
#   scripts/bootstrap-load.sh CLIENTS [true|false] [LoadTool options...]
#     true|false: clients subscribe to join/leave events, or register with "events":false
#     e.g. --probe-every 5000 --probe-size 50 --lookups 60000 --lookup-rate 2000
#
# Each process needs one file descriptor per connection: CLIENTS is capped by `ulimit -Hn`.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-10000}
events=${2:-true}
shift $(( $# < 2 ? $# : 2 ))
ulimit -n "$(ulimit -Hn)"
if (( clients + 400 > $(ulimit -n) )); then
  echo "CLIENTS=$clients needs more than ulimit -n = $(ulimit -n) file descriptors per process" >&2
  exit 2
fi
mvn -B -q -DskipTests -pl bootstrap-server -am package >&2
log=$(mktemp -d)
mvn -B -q -pl bootstrap-server dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$log/cp.txt" >&2
java -Xmx1g -jar bootstrap-server/target/bootstrap-server.jar --host 127.0.0.1 --port 18090 \
  --max-connections-per-ip 200000 --registrations-per-second 200000 \
  --registration-burst 200000 --dead-after 120s >"$log/server.out" 2>"$log/server.err" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$log"' EXIT
for _ in $(seq 1 100); do grep -q listening "$log/server.out" && break; sleep 0.2; done
timeout 1800 java -Xmx2g \
  -cp "bootstrap-server/target/test-classes:bootstrap-server/target/bootstrap-server.jar:$(tr : "\n" <"$log/cp.txt" | grep -i hdrhistogram)" \
  io.parlance.bootstrap.load.LoadTool --port 18090 --clients "$clients" --events "$events" \
  --server-pid "$server" --deadline 1200 --hold 5 "$@"
