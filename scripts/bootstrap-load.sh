#!/usr/bin/env bash
# Measures the bootstrap server under load on this machine (loopback only, bounded, self-stopping):
# starts the shaded server with -Xmx1g on 127.0.0.1:18090, registers CLIENTS WebSocket clients
# from 127.0.0.2... with the load tool, prints registrations/s and the server's heap and RSS (and,
# when asked, the cost of joins as the registry grows and lookup latency), then stops the server.
#
#   scripts/bootstrap-load.sh [--no-build] CLIENTS [true|false] [LoadTool options...]
#   scripts/bootstrap-load.sh --build-only
#     true|false: clients subscribe to join/leave events, or register with "events":false
#     e.g. --probe-every 5000 --probe-size 50 --lookups 60000 --lookup-rate 2000
#     --no-build: use the jar and classpath an earlier run (or --build-only) built
#     --build-only: build them and stop (scripts/bootstrap-load-uml.sh builds outside its kernel)
#
# Each process needs one file descriptor per connection: CLIENTS is capped by `ulimit -Hn`
# (scripts/bootstrap-load-uml.sh runs this script in a kernel of its own, past that limit).
# SERVER_OPTS replaces the server's JVM options (default -Xmx1g); SERVER_ARGS adds server options,
# e.g. SERVER_ARGS="--redis redis://127.0.0.1:6379" for a server in a cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
classpath=$(pwd)/bootstrap-server/target/load-classpath.txt
build() {
  mvn -B -q -DskipTests -pl bootstrap-server -am package >&2
  mvn -B -q -pl bootstrap-server dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$classpath" >&2
}
case "${1:-}" in
  --build-only) build; exit 0 ;;
  --no-build) built=true; shift ;;
  *) built=false ;;
esac
clients=${1:-10000}
events=${2:-true}
shift $(( $# < 2 ? $# : 2 ))
ulimit -n "$(ulimit -Hn)"
if (( clients + 400 > $(ulimit -n) )); then
  echo "CLIENTS=$clients needs more than ulimit -n = $(ulimit -n) file descriptors per process;" \
    "scripts/bootstrap-load-uml.sh runs past that limit" >&2
  exit 2
fi
$built || build
log=$(mktemp -d)
# shellcheck disable=SC2086 # the options are words
java ${SERVER_OPTS:--Xmx1g} -jar bootstrap-server/target/bootstrap-server.jar --host 127.0.0.1 \
  --port 18090 --max-connections-per-ip 200000 --registrations-per-second 200000 \
  --registration-burst 200000 --dead-after 600s ${SERVER_ARGS:-} >"$log/server.out" 2>"$log/server.err" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$log"' EXIT
for _ in $(seq 1 300); do grep -q listening "$log/server.out" && break; sleep 0.2; done
timeout 2400 java -Xmx3g \
  -cp "bootstrap-server/target/test-classes:bootstrap-server/target/bootstrap-server.jar:$(tr : "\n" <"$classpath" | grep -i hdrhistogram)" \
  io.parlance.bootstrap.load.LoadTool --port 18090 --clients "$clients" --events "$events" \
  --server-pid "$server" --deadline 1800 --hold 5 "$@"
