#!/usr/bin/env bash
# Transport benchmark: the connection layer alone (ConnectionPool to MessageServer on 127.0.0.1),
# plain against TLS: throughput over one reused connection and connection set-up times. Bounded and
# self-stopping. Builds the benchmarks jar first unless --no-build is the first argument; every
# other argument goes to the tool. See docs/PERFORMANCE.md.
#
#   scripts/bench-transport.sh --mode plain --runs 5
#   scripts/bench-transport.sh --no-build --mode tls --runs 5
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" "-Xms2g -Xmx2g" io.parlance.bench.transport.TransportBenchmark "$@"
