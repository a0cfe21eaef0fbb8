#!/usr/bin/env bash
# Discovery benchmark: N fresh peers in one JVM on the loopback interface `lo` only (never another
# interface), on a private multicast port; bounded and self-stopping. Builds the benchmarks jar
# first unless --no-build is the first argument; every other argument goes to the tool.
#
#   scripts/bench-discovery.sh --peers 2 --runs 5
#   scripts/bench-discovery.sh --peers 50 --runs 5 --crash false
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == --no-build ]]; then
  shift
else
  mvn -B -q -DskipTests -pl parlance-bench -am package >&2
fi
exec timeout 3600 java -Xmx2g -cp parlance-bench/target/benchmarks.jar \
  io.parlance.bench.discovery.DiscoveryBenchmark "$@"
