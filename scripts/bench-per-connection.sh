#!/usr/bin/env bash
# Per-connection benchmark: one sender connects, writes one line and closes per message, as the
# Rust Parlance sends, against a bare reference receiver and our listener side by side, on
# 127.0.0.1; bounded and self-stopping. Builds the benchmarks jar first unless --no-build is the
# first argument; every other argument goes to the tool. See docs/PERFORMANCE.md.
#
#   scripts/bench-per-connection.sh --messages 50000 --warmup 10000 --runs 5
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" "-Xms1g -Xmx1g" io.parlance.bench.transport.PerConnectionBenchmark "$@"
