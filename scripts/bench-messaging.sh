#!/usr/bin/env bash
# Messaging benchmark: one peer sends N messages to another over loopback (127.0.0.1; discovery on
# `lo` only), bounded and self-stopping. Builds the benchmarks jar first unless --no-build is the
# first argument; every other argument goes to the tool. See docs/PERFORMANCE.md.
#
#   scripts/bench-messaging.sh --mode plain --messages 500000 --runs 5          # throughput
#   scripts/bench-messaging.sh --mode plain --rate 10000 --messages 100000      # latency at 10k/s
#   scripts/bench-messaging.sh --mode per-connection --messages 5000            # the baseline
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" "-Xms2g -Xmx2g" io.parlance.bench.messaging.MessagingBenchmark "$@"
