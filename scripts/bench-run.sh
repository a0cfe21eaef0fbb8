#!/usr/bin/env bash
# Runs one tool of parlance-bench: scripts/bench-run.sh JVM_HEAP CLASS [--no-build] [ARGS...].
# Builds the benchmarks jar first unless --no-build follows the class; the tool gets ARGS and at
# most an hour (each tool also bounds itself). The bench-*.sh scripts call it with their tool.
set -euo pipefail
cd "$(dirname "$0")/.."
heap=$1
tool=$2
shift 2
if [[ "${1:-}" == --no-build ]]; then
  shift
else
  mvn -B -q -DskipTests -pl parlance-bench -am package >&2
fi
# shellcheck disable=SC2086 # the heap options are words
exec timeout 3600 java $heap -cp parlance-bench/target/benchmarks.jar "$tool" "$@"
