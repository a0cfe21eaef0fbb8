#!/usr/bin/env bash
# Relay benchmark (issue 17): a real bootstrap server in a JVM of its own on 127.0.0.1, measured in
# one run: relayed bytes/s and frames/s through 1, 10, 50 sessions (cap lifted, then default), the
# server's memory per idle relayed session, and real default nodes chatting direct and relayed.
# Bounded and self-stopping. Builds the benchmarks jar first unless --no-build is the first
# argument; every other argument goes to the tool. See docs/PERFORMANCE.md.
#
#   scripts/bench-relay.sh --seconds 5 --sessions 1,10,50 --idle 0,100,500 --messages 2000
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" "-Xms1g -Xmx1g" io.parlance.bench.relay.RelayBenchmark "$@"
