#!/usr/bin/env bash
# Runs the Parlance bootstrap server, building its jar first if it is missing or older than the
# sources. All arguments go to the server: ./bootstrap-server.sh --port 8080 (see --help).
# (The name has a .sh because bootstrap-server/ is the Maven module's directory.)
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
jar="$root/bootstrap-server/target/bootstrap-server.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/pom.xml" "$root/bootstrap-server/pom.xml" \
    "$root/bootstrap-server/src/main" "$root/parlance-protocol/pom.xml" \
    "$root/parlance-protocol/src/main" -newer "$jar" -print -quit)" ]]; then
  echo "Building bootstrap-server.jar ..." >&2
  (cd "$root" && mvn -B -q -DskipTests -pl bootstrap-server -am package) >&2
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
