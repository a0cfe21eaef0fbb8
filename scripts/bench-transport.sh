#!/usr/bin/env bash
# Transport benchmark: the connection layer alone (ConnectionPool to MessageServer on 127.0.0.1),
# plain against TLS: throughput over one reused connection and connection set-up times. Bounded and
# self-stopping. Builds the benchmarks jar first unless --no-build is the first argument; every
# other argument goes to the tool. See docs/PERFORMANCE.md.
#
#   scripts/bench-transport.sh --mode plain --runs 5
#   scripts/bench-transport.sh --no-build --mode tls --runs 5
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == --no-build ]]; then
  shift
else
  mvn -B -q -DskipTests -pl parlance-bench -am package >&2
fi
exec timeout 3600 java -Xms2g -Xmx2g -cp parlance-bench/target/benchmarks.jar \
  io.parlance.bench.transport.TransportBenchmark "$@"
