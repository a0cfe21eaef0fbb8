#!/usr/bin/env bash
# Discovery benchmark: N fresh peers in one JVM on the loopback interface `lo` only (never another
# interface), on a private multicast port; bounded and self-stopping. Builds the benchmarks jar
# first unless --no-build is the first argument; every other argument goes to the tool.
#
#   scripts/bench-discovery.sh --peers 2 --runs 5
#   scripts/bench-discovery.sh --peers 50 --runs 5 --crash false
#   scripts/bench-discovery.sh --peers 50 --runs 5 --warmup 1 --crash false   # fewer warm-up runs
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" "-Xmx2g" io.parlance.bench.discovery.DiscoveryBenchmark "$@"
