#!/usr/bin/env bash
# Measures what a cluster of bootstrap servers on one Redis holds on this machine (loopback only,
# bounded, self-stopping). For SERVERS = 1, 2 or 3 it starts its own redis-server on a free port
# of 127.0.0.1 (a temporary directory, no persistence) and SERVERS server processes (one JVM each,
# SERVER_OPTS, default -Xmx768m, ports 18191...), registers PEERS plain `events:false` peers split
# evenly over them with the load tool (one tool per server, nicknames s1x0..., s2x0...), waits
# until every server lists all of them, then prints for each server its own peers, the peers it
# lists, its heap after a full GC (jcmd GC.run) before and with the peers, and Redis's used_memory
# before and with the peers. With 3 servers it then kills the third with kill -9 and times
# (a) until both others no longer list its peers and (b), re-registering those same nicknames on
# the first server right after the kill (what their clients do when they fail over), until
# both others list all PEERS again.
#
#   scripts/bootstrap-cluster-load.sh [--no-build] SERVERS PEERS
#     --no-build: use the jar an earlier run (or scripts/bootstrap-load.sh --build-only) built
#
# Bounds: PEERS at most 60,000 and PEERS/SERVERS under `ulimit -Hn` less 400 (one descriptor per
# connection in each process); every wait is capped (LIMIT seconds, default 900, for the whole
# registration; 120 s for each failover step); everything it started is stopped on exit. The
# failover puts 2 x PEERS/3 connections on the first server, so keep PEERS/3 x 2 under the limit
# too, or set FAILOVER=0 to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."
built=false
if [[ "${1:-}" == --no-build ]]; then built=true; shift; fi
servers=${1:?SERVERS (1, 2 or 3)}
peers=${2:?PEERS}
limit=${LIMIT:-900}
(( servers >= 1 && servers <= 3 )) || { echo "SERVERS must be 1, 2 or 3" >&2; exit 2; }
(( peers >= servers && peers <= 60000 )) || { echo "PEERS must be from SERVERS to 60000" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
per=$(( peers / servers ))
if (( per + 400 > $(ulimit -n) )); then
  echo "PEERS/SERVERS=$per needs more than ulimit -n = $(ulimit -n) descriptors per process" >&2
  exit 2
fi
command -v redis-server >/dev/null || { echo "no redis-server: run scripts/ensure-redis.sh" >&2; exit 2; }
$built || mvn -B -q -DskipTests -pl bootstrap-server -am package >&2
hdr=$(find "$HOME/.m2/repository/org/hdrhistogram" -name 'HdrHistogram-*.jar' | head -1)
[[ -n "$hdr" ]] || { echo "HdrHistogram is not in ~/.m2: build once with Maven" >&2; exit 2; }
cp="bootstrap-server/target/test-classes:bootstrap-server/target/bootstrap-server.jar:$hdr"

work=$(mktemp -d /tmp/cluster-load-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rport=$(free_port)
redis-server --bind 127.0.0.1 --port "$rport" --dir "$work" --save '' --appendonly no \
  --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
rcli() { redis-cli -h 127.0.0.1 -p "$rport" "$@"; }
for _ in $(seq 1 100); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
redis_mem() { rcli info memory | tr -d '\r' | sed -n 's/^used_memory://p'; }

metric() { # PORT NAME: a gauge from /metrics (sums the heap areas)
  curl -s --max-time 30 "http://127.0.0.1:$1/metrics" | awk -v n="$2" '
    index($0, n) == 1 { s += $NF } END { printf "%.0f\n", s }'
}
heap_after_gc() { # PID PORT
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  metric "$2" 'jvm_memory_used_bytes{area="heap"'
}
listed() { metric "$1" 'bootstrap_peers_registered '; }
own() { metric "$1" 'bootstrap_websocket_connections '; }

spids=()
for i in $(seq 1 "$servers"); do
  port=$(( 18190 + i ))
  # shellcheck disable=SC2086 # the options are words
  java ${SERVER_OPTS:--Xmx768m} -jar bootstrap-server/target/bootstrap-server.jar --host 127.0.0.1 \
    --port "$port" --max-connections-per-ip 200000 --registrations-per-second 200000 \
    --registration-burst 200000 --max-unfinished-per-ip 100000 --dead-after 1800s --redis "redis://127.0.0.1:$rport" \
    --server-id "s$i" --no-mailbox >"$work/server$i.out" 2>"$work/server$i.err" &
  spids+=($!)
  pids+=($!)
done
for i in $(seq 1 "$servers"); do
  for _ in $(seq 1 300); do grep -q listening "$work/server$i.out" && break; sleep 0.2; done
  grep -q listening "$work/server$i.out" || { echo "server $i did not start:"; cat "$work/server$i.err"; exit 1; }
done
sleep 3
declare -a heap0
for i in $(seq 1 "$servers"); do heap0[$i]=$(heap_after_gc "${spids[$((i - 1))]}" $(( 18190 + i ))); done
redis0=$(redis_mem)
echo "Cluster of $servers on redis 127.0.0.1:$rport, $peers peers ($per per server), load: $(uptime)"

start=$(date +%s.%N)
for i in $(seq 1 "$servers"); do
  java -Xmx1g -cp "$cp" io.parlance.bootstrap.load.LoadTool --port $(( 18190 + i )) \
    --clients "$per" --events false --prefix "s${i}x" --sources $(( (per + 4999) / 5000 + i * 4 )) \
    --in-flight 128 --hold 1800 --deadline 1800 >"$work/load$i.out" 2>&1 &
  pids+=($!)
done
# Waits until every server lists everyone (or the limit, or no progress for 120 s).
total=$(( per * servers ))
last=0; last_change=$(date +%s)
while :; do
  low=$total
  for i in $(seq 1 "$servers"); do n=$(listed $(( 18190 + i ))); (( n < low )) && low=$n; done
  now=$(date +%s)
  (( low != last )) && { last=$low; last_change=$now; echo "  $(date -u +%T): every server lists >= $low"; }
  (( low >= total )) && break
  (( now - last_change > 120 || now - ${start%.*} > limit )) && { echo "  stopped waiting at $low of $total"; break; }
  sleep 2
done
end=$(date +%s.%N)
echo "Registered and visible everywhere: $low of $total in $(echo "$end - $start" | bc) s"
sleep 5
redis1=$(redis_mem)
for i in $(seq 1 "$servers"); do
  port=$(( 18190 + i ))
  h=$(heap_after_gc "${spids[$((i - 1))]}" "$port")
  o=$(own "$port"); l=$(listed "$port")
  echo "server s$i: own $o, lists $l, heap after GC $(( heap0[i] / 1048576 )) MiB -> $(( h / 1048576 )) MiB," \
    "$(echo "scale=2; ($h - ${heap0[$i]}) / 1024 / $l" | bc) KiB per listed peer," \
    "RSS $(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/${spids[$((i - 1))]}/status") MiB"
done
echo "redis used_memory $(( redis0 / 1048576 )) MiB -> $(( redis1 / 1048576 )) MiB," \
  "$(( (redis1 - redis0) / (low > 0 ? low : 1) )) B per peer; $(rcli dbsize) keys"

if (( servers == 3 && ${FAILOVER:-1} == 1 )); then
  killed=${spids[2]}
  gone=$(( per * 2 ))
  echo "Failover: kill -9 server s3 (pid $killed, $per own peers) at $(date -u +%T.%N)"
  t0=$(date +%s.%N)
  kill -9 "$killed"
  t_gone=""; t_back=""
  while :; do
    b=$(listed 18192); a=$(listed 18191)
    el=$(echo "$(date +%s.%N) - $t0" | bc)
    (( a <= gone && b <= gone )) && { t_gone=$el; break; }
    (( $(echo "$el > 120" | bc) )) && break
    sleep 0.2
  done
  echo "  s1 and s2 stopped listing s3's peers: ${t_gone:-not within 120} s after the kill"
  # Its clients move: the same nicknames register on s1 (a client retries until its nickname is
  # free; here they start once the dead server's entries are gone).
  t1=$(date +%s.%N)
  java -Xmx1g -cp "$cp" io.parlance.bootstrap.load.LoadTool --port 18191 --clients "$per" \
    --events false --prefix s3x --sources $(( (per + 4999) / 5000 + 20 )) --in-flight 128 \
    --hold 300 --deadline 400 >"$work/failover.out" 2>&1 &
  pids+=($!)
  while :; do
    a=$(listed 18191); b=$(listed 18192)
    el=$(echo "$(date +%s.%N) - $t1" | bc)
    (( a >= total && b >= total )) && { t_back=$el; break; }
    (( $(echo "$el > 120" | bc) )) && break
    sleep 0.2
  done
  echo "  its $per peers re-registered on s1 and listed on s1 and s2: ${t_back:-not within 120} s" \
    "after they began (s1 lists $a, s2 $b)"
  grep -h -E 'Registered|failed:' "$work/failover.out" | head -3 | sed 's/^/  failover load: /'
fi
for i in $(seq 1 "$servers"); do
  grep -h -E 'Registered|failed:' "$work/load$i.out" | head -4 | sed "s/^/  load $i: /"
done
echo "done, load: $(uptime)"
