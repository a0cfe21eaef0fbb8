#!/usr/bin/env bash
# Runs every fuzz target of the project for real (coverage-guided, JAZZER_FUZZ=1), one after
# the other, each for a bounded time, and prints one summary line per target.
#
#   scripts/fuzz.sh [seconds-per-target] [name-filter]
#
# seconds-per-target defaults to 300. name-filter (a substring, e.g. "Config") runs only the
# matching targets. Each target stops by itself after its time; a hard timeout (the time plus
# 5 minutes for the build and the JVM) ends it if it does not. Logs go to target/fuzz/. The
# corpus each target grows is kept in <module>/.cifuzz-corpus/ (not committed) and used by the
# next run; an input that fails a target is written by Jazzer next to the committed seeds in
# src/test/resources/.../<Class>Inputs/<method>/, where the normal build replays it from then
# on. The script exits non-zero if any target found something.
set -euo pipefail

seconds="${1:-300}"
filter="${2:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [seconds-per-target] [name-filter]" >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
logs="$root/target/fuzz"
mkdir -p "$logs"
cd "$root"

# module  class  method
targets=(
  "parlance-protocol io.parlance.protocol.codec.LineFrameDecoderFuzzTest framesAnyStreamCutAnywhereAsTheModelSaysAndReleasesEveryBuffer"
  "parlance-protocol io.parlance.protocol.codec.PeerLineFuzzTest anyLineIsAValidChatLineThatRoundTripsOrACleanRejection"
  "parlance-protocol io.parlance.protocol.codec.PeerLineFuzzTest anyLineIsAValidPeerLineThatRoundTripsOrACleanRejection"
  "parlance-protocol io.parlance.protocol.codec.DiscoveryDecoderFuzzTest anyDatagramIsAValidMessageThatRoundTripsOrACleanRejection"
  "parlance-protocol io.parlance.protocol.bootstrap.BootstrapFrameFuzzTest anyFrameTheServerReadsIsAClientFrameThatRoundTripsOrACleanRejection"
  "parlance-protocol io.parlance.protocol.bootstrap.BootstrapFrameFuzzTest anyFrameAPeerReadsIsAServerFrameThatRoundTripsOrACleanRejection"
  "parlance-protocol io.parlance.protocol.identity.SignaturesFuzzTest anyClaimIsProvenOnlyByARealSignatureAndOtherwiseRefusedWithAReason"
  "parlance-client io.parlance.client.config.ConfigFileFuzzTest anyFileIsCheckedSettingsOrAOneLineErrorNamingTheFile"
  "parlance-client io.parlance.client.cli.CommandFuzzTest anyLineParsesToOneWellFormedCommand"
)

echo "[fuzz] compiling the tests once"
mvn -B -q -pl parlance-protocol,parlance-client -am test-compile \
  -Dspotless.check.skip=true -Dcheckstyle.skip=true >"$logs/build.log" 2>&1 || {
  tail -40 "$logs/build.log" >&2
  exit 1
}

found=0
summary=()
for t in "${targets[@]}"; do
  read -r module class method <<<"$t"
  name="${class##*.}.$method"
  if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then
    continue
  fi
  log="$logs/$name.log"
  echo "[fuzz] $name for ${seconds}s (log: ${log#"$root"/})"
  start=$(date +%s)
  rc=0
  # The heap is capped so libFuzzer's 2 GB RSS limit is not hit by the JVM itself. The leak
  # detector stays on paranoid, as in every test run.
  # Jackson does the parsing for most targets: instrument it too, so coverage guides into it.
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
    JAZZER_INSTRUMENTATION_INCLUDES="io.parlance.**:com.fasterxml.jackson.**" \
    timeout --kill-after=30 $((seconds + 300)) \
    mvn -B -q -pl "$module" -am test -Dtest="$class#$method" \
    -Dsurefire.failIfNoSpecifiedTests=false \
    -Dspotless.check.skip=true -Dcheckstyle.skip=true \
    -DargLine="-Xmx768m -Xss4m" >"$log" 2>&1 || rc=$?
  elapsed=$(($(date +%s) - start))
  done_line="$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 || true)"
  if [ "$rc" -eq 0 ]; then
    verdict="nothing found"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    verdict="TIMED OUT (killed after $((seconds + 300))s)"
    found=1
  else
    verdict="FOUND something (exit $rc): see the log and src/test/resources"
    found=1
  fi
  line="$name: ${elapsed}s wall; ${done_line:-no libFuzzer summary}; ${cov:-}; $verdict"
  summary+=("$line")
  echo "[fuzz] $line"
done

echo
echo "[fuzz] summary"
for line in "${summary[@]}"; do
  echo "  $line"
done
exit "$found"
