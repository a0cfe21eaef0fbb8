#!/usr/bin/env bash
# A five-peer room in a lab of network namespaces (issue 18). Needs root and iproute2 (installed
# with apt-get if missing). Namespaces rlab-*, addresses 198.18.20.0/24, veths rl*; multicast
# stays inside the lab's bridge.
#   scripts/roomlab.sh up | down | test
# `test` builds nothing: it runs parlance-client/target/parlance.jar (mvn package first), and
# prints PASS or FAIL with what was checked.
set -euo pipefail
PREFIX=rlab
SW=${PREFIX}-sw
N=5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/parlance-client/target/parlance.jar"
WORK=${ROOMLAB_DIR:-/tmp/roomlab}
MESSAGES=${ROOMLAB_MESSAGES:-1000}

host() { echo "${PREFIX}-h$1"; }

need() {
  if [[ $(id -u) != 0 ]]; then echo "SKIP: roomlab needs root (network namespaces)"; exit 3; fi
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v jq >/dev/null || missing+=(jq)
  if [[ ${#missing[@]} -gt 0 ]]; then
    { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >/dev/null 2>&1 \
      || { echo "SKIP: could not install ${missing[*]}"; exit 3; }
  fi
}

up() {
  need
  down
  ip netns add "$SW"
  ip -n "$SW" link set lo up
  ip -n "$SW" link add br0 type bridge
  ip -n "$SW" link set br0 type bridge mcast_snooping 0
  ip -n "$SW" link set br0 up
  for k in $(seq 1 $N); do
    local h; h=$(host "$k")
    ip netns add "$h"
    ip link add "rl${k}a" type veth peer name "rl${k}b"
    ip link set "rl${k}a" netns "$h"
    ip link set "rl${k}b" netns "$SW"
    ip -n "$h" link set "rl${k}a" name eth0
    ip -n "$h" link set lo up
    ip -n "$h" addr add "198.18.20.$k/24" dev eth0
    ip -n "$h" link set eth0 multicast on up
    ip -n "$h" route add 224.0.0.0/4 dev eth0
    ip -n "$SW" link set "rl${k}b" master br0 up
  done
}

down() {
  [[ -f "$WORK/holders" ]] && xargs -r kill 2>/dev/null <"$WORK/holders" || true
  rm -f "$WORK/holders"
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${PREFIX}-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns"
  done
}

start() { # k: starts peer k in its namespace, reading commands from $WORK/k.in
  local k=$1
  rm -f "$WORK/$k.in"
  mkfifo "$WORK/$k.in"
  sleep 100000 >"$WORK/$k.in" 2>/dev/null </dev/null & # keeps the fifo open
  echo $! >>"$WORK/holders"
  ip netns exec "$(host "$k")" java -Xmx256m -jar "$JAR" --json -n "m$k" \
    --data-dir "$WORK/m$k" --interface eth0 <"$WORK/$k.in" >>"$WORK/$k.out" 2>>"$WORK/$k.err" &
  echo $! >"$WORK/$k.pid"
}

say() { echo "$2" >"$WORK/$1.in"; } # k line

wait_for() { # seconds what command...
  local t=$1 what=$2; shift 2
  for _ in $(seq 1 $((t * 5))); do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  echo "FAIL: timed out waiting for $what"; exit 1
}

sees_all() { [[ $(grep -c '"event":"peer_joined"' "$WORK/$1.out" 2>/dev/null || true) -ge $((N - 1)) ]]; }
has() { grep -q "$2" "$WORK/$1.out"; }
history_ids() { # k: asks for the room's history and prints its ids
  local before; before=$(grep -c '"event":"room_history"' "$WORK/$1.out" || true)
  say "$1" "/history #lab 1000"
  for _ in $(seq 1 100); do
    [[ $(grep -c '"event":"room_history"' "$WORK/$1.out" || true) -gt $before ]] && break
    sleep 0.2
  done
  grep '"event":"room_history"' "$WORK/$1.out" | tail -1 | jq -r '.messages[].id'
}
count_is() { [[ $(history_ids "$1" | wc -l) -ge $2 ]]; }

run_test() {
  need
  [[ -f "$JAR" ]] || { echo "SKIP: build the client first (mvn package)"; exit 3; }
  up
  rm -rf "$WORK"; mkdir -p "$WORK"
  trap 'down' EXIT
  for k in $(seq 1 $N); do start "$k"; done
  for k in $(seq 1 $N); do wait_for 60 "m$k to see every peer" sees_all "$k"; done
  say 1 "/room create lab"
  wait_for 20 "the room" has 1 '"event":"room_created"'
  for k in $(seq 2 $N); do
    say 1 "/room invite lab m$k"
    wait_for 20 "the invitation of m$k" has "$k" '"event":"room_invited"'
    say "$k" "/join lab"
    wait_for 20 "m$k to join" has "$k" '"event":"room_joined"'
  done
  sleep 2
  echo "room of $N made; $MESSAGES messages from m1-m3; m5 cut off at 200, m4 killed at 300"
  for i in $(seq 0 $((MESSAGES - 1))); do
    if [[ $i == 200 ]]; then ip -n "$SW" link set rl5b down; fi
    if [[ $i == 300 ]]; then kill -9 "$(cat "$WORK/4.pid")"; fi
    if [[ $i == 700 ]]; then start 4; fi
    say $((i % 3 + 1)) "/say lab msg $i"
  done
  ip -n "$SW" link set rl5b up
  for k in $(seq 1 $N); do wait_for 300 "m$k to hold $MESSAGES" count_is "$k" "$MESSAGES"; done
  history_ids 1 >"$WORK/order.1"
  for k in $(seq 2 $N); do
    history_ids "$k" >"$WORK/order.$k"
    cmp -s "$WORK/order.1" "$WORK/order.$k" || { echo "FAIL: m$k's order differs from m1's"; exit 1; }
  done
  [[ $(sort "$WORK/order.1" | uniq -d | wc -l) == 0 ]] || { echo "FAIL: a message twice"; exit 1; }
  echo "ok: all $N hold the same $MESSAGES messages in the same order, each once (m5 after a partition from message 200; m4 after kill -9 at 300 and a restart at 700, if that many were sent)"
  say 1 "/room remove lab m5"
  wait_for 20 "the removal" has 1 '"event":"room_removed"'
  sleep 3
  say 1 "/say lab after the removal"
  wait_for 30 "m2 to get the message after the removal" has 2 'after the removal'
  sleep 3
  if has 5 'after the removal'; then echo "FAIL: the removed member got a new message"; exit 1; fi
  echo "ok: the removed member got nothing new"
  # a room line from a non-member on a plain connection to m1
  ip netns exec "$(host 5)" bash -c "exec 5<>/dev/tcp/198.18.20.1/\$(jq -r 'select(.event==\"ready\").tcp_port' $WORK/1.out | head -1);
    printf '{\"from\":\"mallory\",\"content\":\"\\\\u0001room {}\",\"timestamp\":1}\n' >&5; sleep 1"
  wait_for 20 "the forged line to be refused" has 1 '"event":"room_refused"'
  echo "ok: a room line from a non-member on a plain connection was refused"
  echo PASS
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  test) run_test ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
