#!/usr/bin/env bash
# Room benchmarks: N default nodes in one JVM on loopback (discovery on `lo` only), bounded and
# self-stopping. Builds the benchmarks jar first unless --no-build follows the tool's name. See
# docs/PERFORMANCE.md.
#
#   scripts/bench-rooms.sh room 10 100 500        # a full room: latency, a burst, a catch-up
#   scripts/bench-rooms.sh author 50 5000 1 3     # one author's share of a room of 50
set -euo pipefail
case "${1:-}" in
  room) tool=io.parlance.bench.rooms.RoomBenchmark ;;
  author) tool=io.parlance.bench.rooms.AuthorBenchmark ;;
  *)
    echo "usage: scripts/bench-rooms.sh room|author [--no-build] [ARGS...]" >&2
    exit 2
    ;;
esac
shift
exec "$(dirname "$0")/bench-run.sh" "-Xms3g -Xmx3g" "$tool" "$@"
