#!/usr/bin/env bash
# natlab: two home networks behind NAT routers and a server on an "internet" between them, made
# of network namespaces on this machine (issue 17). Nothing is connected to the machine's own
# network; every address is from 198.19.0.0/16 (set aside for network testing).
#
#   internet  nlab-net: a bridge; nlab-srv 198.19.0.10/24 (the bootstrap server)
#   home A    nlab-ra: WAN 198.19.0.1/24, LAN 198.19.1.1/24, masquerading; nlab-ha 198.19.1.2/24
#   home B    nlab-rb: WAN 198.19.0.2/24, LAN 198.19.2.1/24, masquerading; nlab-hb 198.19.2.2/24
#
#   natlab.sh up           build it (installs iproute2/iptables with apt-get if missing)
#   natlab.sh nat eim|symmetric [ra|rb]
#                          how both routers (or the one named) map: eim is plain MASQUERADE (a home port keeps its
#                          mapping whatever it talks to); symmetric is MASQUERADE --random-fully
#                          (every connection gets a random external port)
#   natlab.sh exec NS CMD  run CMD in namespace NS (srv, ha, hb, ra, rb)
#   natlab.sh test         the relay and hole-punch check (runs the built jars; prints ok:/FAIL:
#                          lines, then PASS; exit 3 = skipped, with the reason): server in
#                          nlab-srv, alice in nlab-ha, bob in nlab-hb; direct fails; with symmetric
#                          NATs punching fails and relayed chat goes both ways, acked; with EIM
#                          NATs holes are punched and chat goes over them; a tcpdump capture at
#                          the server holds no message text
#   natlab.sh punchrate [ROUNDS]
#                          hole-punch success per NAT pair (eim-eim, eim-symmetric,
#                          symmetric-symmetric): ROUNDS restarts of both peers (10), a punch each
#                          way in each; prints successes and the time to a punched link (p50)
#   natlab.sh down         remove every nlab- namespace (ending what runs in them)
#
# A home host reaches the server (through its router's NAT); nothing on the internet side, nor
# the other home, can open a connection to a home host: its router has no port forwarded.
# Needs root.
set -euo pipefail

P=nlab

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLIENT_JAR="${CLIENT_JAR:-$ROOT/parlance-client/target/parlance.jar}"
SERVER_JAR="${SERVER_JAR:-$ROOT/bootstrap-server/target/bootstrap-server.jar}"
WORK="${NATLAB_DIR:-/tmp/natlab}"
SERVER=198.19.0.10
SPORT=8080

need() { # tools...: installs the missing ones with apt-get; exit 3 (skip) when that fails
  if [[ $(id -u) != 0 ]]; then echo "SKIP: natlab needs root (network namespaces)"; exit 3; fi
  local missing=() t
  for t in "$@"; do
    case "$t" in
      ip) command -v ip >/dev/null || missing+=(iproute2) ;;
      *) command -v "$t" >/dev/null || missing+=("$t") ;;
    esac
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >/dev/null 2>&1 \
      || { echo "SKIP: could not install ${missing[*]} with apt-get"; exit 3; }
  fi
  ip netns add "$P-probe" 2>/dev/null || { echo "SKIP: cannot make network namespaces here"; exit 3; }
  ip netns del "$P-probe"
}

veth() { # veth NAME_A NS_A NAME_B NS_B
  ip link add "$1" type veth peer name "$3"
  ip link set "$1" netns "$2"
  ip link set "$3" netns "$4"
  ip -n "$2" link set "$1" up
  ip -n "$4" link set "$3" up
}

up() {
  need ip iptables
  down
  for ns in net srv ra rb ha hb; do
    ip netns add "$P-$ns"
    ip -n "$P-$ns" link set lo up
  done
  ip -n "$P-net" link add br0 type bridge
  ip -n "$P-net" link set br0 up
  veth nlsrv "$P-srv" nlnsrv "$P-net"
  veth nlraw "$P-ra" nlnra "$P-net"
  veth nlrbw "$P-rb" nlnrb "$P-net"
  for p in nlnsrv nlnra nlnrb; do ip -n "$P-net" link set "$p" master br0; done
  ip -n "$P-srv" addr add 198.19.0.10/24 dev nlsrv
  ip -n "$P-ra" addr add 198.19.0.1/24 dev nlraw
  ip -n "$P-rb" addr add 198.19.0.2/24 dev nlrbw
  veth nlral "$P-ra" nlha "$P-ha"
  veth nlrbl "$P-rb" nlhb "$P-hb"
  ip -n "$P-ra" addr add 198.19.1.1/24 dev nlral
  ip -n "$P-rb" addr add 198.19.2.1/24 dev nlrbl
  ip -n "$P-ha" addr add 198.19.1.2/24 dev nlha
  ip -n "$P-hb" addr add 198.19.2.2/24 dev nlhb
  ip -n "$P-ha" route add default via 198.19.1.1
  ip -n "$P-hb" route add default via 198.19.2.1
  for r in ra rb; do
    ip netns exec "$P-$r" sysctl -qw net.ipv4.ip_forward=1
    wan=$([ "$r" = ra ] && echo nlraw || echo nlrbw)
    ip netns exec "$P-$r" iptables -t nat -A POSTROUTING -o "$wan" -j MASQUERADE -m comment --comment natlab
    # A home router: nothing from the internet gets in unless it answers a connection from inside.
    ip netns exec "$P-$r" iptables -A FORWARD -i "$wan" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    ip netns exec "$P-$r" iptables -A FORWARD -i "$wan" -j DROP
    # ...and, like most, it drops (rather than refuses) unsolicited connections to itself: an early
    # SYN of a simultaneous open must not be answered with a reset (nor leave a conntrack entry
    # that makes the router map the home host's answer to another port).
    ip netns exec "$P-$r" iptables -A INPUT -i "$wan" -p tcp -m conntrack --ctstate NEW -j DROP
  done
  echo "natlab up: server 198.19.0.10 (nlab-srv); home A 198.19.1.2 behind 198.19.0.1; home B 198.19.2.2 behind 198.19.0.2"
}

nat() { # eim|symmetric [ra|rb]: both routers, or the one named
  local extra r wan
  case "$1" in
    eim) extra=() ;;
    symmetric) extra=(--random-fully) ;;
    *) echo "natlab.sh nat eim|symmetric [ra|rb]" >&2; exit 2 ;;
  esac
  for r in ${2:-ra rb}; do
    wan=$([ "$r" = ra ] && echo nlraw || echo nlrbw)
    ip netns exec "$P-$r" iptables -t nat -F POSTROUTING
    ip netns exec "$P-$r" iptables -t nat -A POSTROUTING -o "$wan" -j MASQUERADE "${extra[@]}" \
      -m comment --comment natlab
    ip netns exec "$P-$r" conntrack -F 2>/dev/null || true
  done
  echo "natlab: ${2:-both routers} map $1"
}

down() {
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$P-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns"
  done
}

# --- the relay check -------------------------------------------------------------------------

fail() { echo "FAIL: $*"; exit 1; }

wait_for() { # seconds what command...
  local t=$1 what=$2
  shift 2
  for _ in $(seq 1 $((t * 5))); do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  fail "timed out after ${t}s waiting for $what"
}

has() { grep -q -- "$2" "$WORK/$1.out" 2>/dev/null; } # name pattern

peer() { # name ns: starts an internet-mode peer reading commands appended to WORK/name.cmd
  local name=$1 ns=$2
  mkdir -p "$WORK/$name"
  : >"$WORK/$name.cmd"
  ip netns exec "$P-$ns" env XDG_DATA_HOME="$WORK/$name/data" XDG_STATE_HOME="$WORK/$name/state" \
    XDG_CONFIG_HOME="$WORK/$name/config" bash -c 'tail -n +1 -f "$1" | exec java -Xmx160m \
      -XX:TieredStopAtLevel=1 -jar "$2" --nickname "$3" --mode internet --bootstrap "$4" --json' \
    natlab-peer "$WORK/$name.cmd" "$CLIENT_JAR" "$name" "ws://$SERVER:$SPORT" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
}

say() { echo "$2" >>"$WORK/$1.cmd"; } # name line

peers_path() { # name peer: asks name for /peers and prints the path it gives peer
  local before
  before=$(grep -c '"event":"peers"' "$WORK/$1.out" || true)
  say "$1" "/peers"
  for _ in $(seq 1 50); do
    [[ $(grep -c '"event":"peers"' "$WORK/$1.out" || true) -gt $before ]] && break
    sleep 0.2
  done
  { grep '"event":"peers"' "$WORK/$1.out" || true; } | tail -1 |
    jq -r --arg n "$2" '.peers[] | select(.nickname == $n) | .path // "none"'
}

delivered() { # name to: how many of name's messages to "to" were acknowledged
  { grep '"event":"delivery"' "$WORK/$1.out" 2>/dev/null || true; } |
    jq -s --arg to "$2" '[.[] | select(.to == $to and .state == "delivered")] | length'
}

more_delivered() { [[ $(delivered "$1" "$2") -gt $3 ]]; } # name to count

chat() { # from to text: sends, waits for it to arrive and to be acknowledged
  local before
  before=$(delivered "$1" "$2")
  say "$1" "/send $2 $3"
  wait_for 30 "$2 to receive '$3'" has "$2" "$3"
  wait_for 30 "$1's message to $2 to be delivered (acked)" more_delivered "$1" "$2" "$before"
}

path_is() { [[ $(peers_path "$1" "$2") == "$3" ]]; } # name peer path

stop_peer() { # name: /quit, then the fifo's tail ends at the next line it cannot pass on
  say "$1" "/quit"
  wait_for 30 "$1 to stop" has "$1" '"event":"stopped"'
  sleep 0.5
  say "$1" ""
  mv "$WORK/$1.out" "$WORK/$1.$2.out"
  mv "$WORK/$1.err" "$WORK/$1.$2.err"
}

start_peers() {
  peer alice ha
  peer bob hb
  wait_for 60 "alice to see bob" has alice '"event":"peer_joined","nickname":"bob"'
  wait_for 60 "bob to see alice" has bob '"event":"peer_joined","nickname":"alice"'
}

BURST=${NATLAB_BURST:-200}
burst_in() { [[ $(grep -o 'burst [0-9]*\.' "$WORK/$1.out" | sort -u | wc -l) -ge $BURST ]]; } # name

punch_log() { grep -q -- "$2" "$WORK/$1.err" 2>/dev/null; } # name pattern

run_test() {
  need ip iptables tcpdump jq
  for j in "$CLIENT_JAR" "$SERVER_JAR"; do
    [[ -f "$j" ]] || { echo "SKIP: $j is missing; build with mvn -B -DskipTests package"; exit 3; }
  done
  up >/dev/null
  trap 'exec 2>/dev/null; down' EXIT # (quietly: what is left is ended with kill -9)
  rm -rf "$WORK"
  local dump
  start_server capture
  local secret="natlab text $RANDOM$RANDOM" a b

  # 1. Symmetric NATs: no hole can be punched; the relay carries the chat.
  nat symmetric >/dev/null
  start_peers
  wait_for 30 "alice to be told she cannot be reached" has alice 'could not connect back'
  wait_for 30 "bob to be told he cannot be reached" has bob 'could not connect back'
  echo "ok: both peers registered through their NATs and were told the server could not connect back"
  local bob_at
  bob_at=$(grep '"event":"peer_joined","nickname":"bob"' "$WORK/alice.out" | head -1 | jq -r .address)
  if ip netns exec "$P-ha" timeout 5 bash -c "exec 3<>/dev/tcp/${bob_at%:*}/${bob_at##*:}" 2>/dev/null; then
    fail "alice could connect to bob's address $bob_at directly (the lab has no NAT?)"
  fi
  echo "ok: direct fails: alice cannot connect to bob's address $bob_at"
  chat alice bob "$secret 1 from alice to bob"
  chat bob alice "$secret 2 from bob to alice"
  wait_for 40 "alice's hole punch to bob to fail" punch_log alice "No hole punched to bob"
  wait_for 40 "bob's hole punch to alice to fail" punch_log bob "No hole punched to alice"
  chat alice bob "$secret 3 from alice to bob"
  chat bob alice "$secret 4 from bob to alice"
  a=$(peers_path alice bob)
  b=$(peers_path bob alice)
  [[ $a == "relayed via "* && $b == "relayed via "* ]] || fail "/peers paths: alice->bob '$a', bob->alice '$b'"
  echo "ok: symmetric NATs: both hole punches failed (alice: $(grep -o 'No hole punched to bob.*' "$WORK/alice.err" | head -1 | grep -o 'after [0-9]* attempts')); relayed chat both ways, each message acknowledged; /peers: alice->bob '$a', bob->alice '$b'"
  stop_peer alice symmetric
  stop_peer bob symmetric

  # 2. Endpoint-independent NATs (plain MASQUERADE): the server coordinates a simultaneous open.
  nat eim >/dev/null
  start_peers
  # A stream from alice, one message every 20 ms: it starts on the relay and moves to the punched
  # link mid-stream.
  local k relayed holed
  for k in $(seq 1 "$BURST"); do say alice "/send bob $secret burst $k."; sleep 0.02; done
  wait_for 60 "bob to get alice's stream of $BURST" burst_in bob
  wait_for 60 "alice's stream to be acknowledged" more_delivered alice bob $((BURST - 1))
  [[ $(grep -o 'burst [0-9]*\.' "$WORK/bob.out" | sort | uniq -d | wc -l) == 0 ]] ||
    fail "a message of the stream arrived twice"
  relayed=$(grep 'burst [0-9]*\.' "$WORK/bob.out" | grep -c "\"address\":\"$SERVER:" || true)
  holed=$(grep 'burst [0-9]*\.' "$WORK/bob.out" | grep -c '"address":"198.19.0.1:' || true)
  [[ $((relayed + holed)) == "$BURST" ]] || fail "of the stream, $relayed came through the relay and $holed over the punched link, not $BURST"
  echo "ok: EIM NATs: a stream of $BURST from alice arrived whole, each message once and acked: $relayed through the relay, then $holed over the punched link"
  chat bob alice "$secret 6 from bob to alice"
  wait_for 40 "alice's /peers to say bob is hole-punched" path_is alice bob hole-punched
  wait_for 40 "bob's /peers to say alice is hole-punched" path_is bob alice hole-punched
  chat alice bob "$secret 7 from alice to bob"
  chat bob alice "$secret 8 from bob to alice"
  a=$(peers_path alice bob)
  b=$(peers_path bob alice)
  [[ $a == hole-punched && $b == hole-punched ]] || fail "/peers paths after punching: alice->bob '$a', bob->alice '$b'"
  [[ $(grep -c "$secret 6 from" "$WORK/alice.out") == 1 ]] ||
    fail "a message sent before the move to the punched link arrived twice or not at all"
  echo "ok: EIM NATs: holes punched both ways (alice->bob in $(grep -o 'Punched a hole to bob@[^ ]* in [0-9]* ms' "$WORK/alice.err" | head -1 | grep -o '[0-9]* ms$'), bob->alice in $(grep -o 'Punched a hole to alice@[^ ]* in [0-9]* ms' "$WORK/bob.err" | head -1 | grep -o '[0-9]* ms$')); chat acked over them, each message once; /peers: alice->bob '$a', bob->alice '$b'"

  sleep 1
  kill -INT "$dump" 2>/dev/null || true
  wait "$dump" 2>/dev/null || true
  local bytes
  bytes=$(stat -c %s "$WORK/capture.pcap" 2>/dev/null || echo 0)
  [[ $bytes -gt 1000 ]] || fail "the capture at the server is empty ($bytes bytes): $(cat "$WORK/tcpdump.err")"
  grep -a -q "$secret" "$WORK/capture.pcap" && fail "the capture at the server holds the message text"
  grep -a -q -i "upgrade: websocket" "$WORK/capture.pcap" && grep -a -q relay_paired "$WORK/capture.pcap" ||
    fail "the capture at the server does not hold the peers' WebSocket and relay traffic"
  echo "ok: the capture at the server ($bytes bytes, the peers' WebSocket and relay traffic) holds no message text"
  echo PASS
}

start_server() { # (and tcpdump at the server when $1 is "capture"; sets dump)
  mkdir -p "$WORK/server"
  if [[ ${1:-} == capture ]]; then
    ip netns exec "$P-srv" tcpdump -i nlsrv -U -s 0 -w "$WORK/capture.pcap" "tcp port $SPORT" \
      2>"$WORK/tcpdump.err" &
    dump=$! # ip netns exec execs the command: this is tcpdump's pid
  fi
  ip netns exec "$P-srv" java -Xmx192m -XX:TieredStopAtLevel=1 -jar "$SERVER_JAR" --host "$SERVER" \
    --port "$SPORT" --mailbox-file "$WORK/server/mailbox.db" >"$WORK/server.log" 2>&1 &
  wait_for 30 "the server to answer /healthz" \
    ip netns exec "$P-srv" bash -c "exec 2>/dev/null 3<>/dev/tcp/$SERVER/$SPORT && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && grep -q '\"status\":\"ok\"' <&3"
}

punched_either() { punch_log "$1" "Punched a hole to $2@" || punch_log "$1" "No hole punched to $2@"; }

run_punchrate() { # rounds: per NAT pair, ROUNDS restarts of both peers, a punch each way in each
  local rounds=${1:-10} pair ra rb i ok ms results
  need ip iptables jq
  up >/dev/null
  trap 'exec 2>/dev/null; down' EXIT
  rm -rf "$WORK"
  start_server
  for pair in eim-eim eim-symmetric symmetric-symmetric; do
    ra=${pair%-*}
    rb=${pair#*-}
    nat "$ra" ra >/dev/null
    nat "$rb" rb >/dev/null
    ok=0
    results=()
    for i in $(seq 1 "$rounds"); do
      start_peers
      chat alice bob "round $i there"
      chat bob alice "round $i back"
      wait_for 40 "alice's punch result" punched_either alice bob
      wait_for 40 "bob's punch result" punched_either bob alice
      for side in "alice bob" "bob alice"; do
        set -- $side
        ms=$(grep -o "Punched a hole to $2@[^ ]* in [0-9]* ms" "$WORK/$1.err" | head -1 | grep -o '[0-9]* ms$' | cut -d' ' -f1 || true)
        if [[ -n $ms ]]; then ok=$((ok + 1)); results+=("$ms"); fi
      done
      stop_peer alice "$pair.$i"
      stop_peer bob "$pair.$i"
    done
    local sorted p50="-"
    if [[ ${#results[@]} -gt 0 ]]; then
      sorted=$(printf '%s\n' "${results[@]}" | sort -n)
      p50=$(echo "$sorted" | sed -n "$(((${#results[@]} + 1) / 2))p")
      echo "punchrate: $pair: $ok of $((rounds * 2)) punches succeeded; time to the punched link p50 $p50 ms (all: $(echo $sorted))"
    else
      echo "punchrate: $pair: $ok of $((rounds * 2)) punches succeeded"
    fi
  done
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) up ;;
  down) down ;;
  nat) nat "${1:-}" ;;
  test) run_test ;;
  punchrate) run_punchrate "${1:-10}" ;;
  exec)
    ns=$1
    shift
    exec ip netns exec "$P-$ns" "$@"
    ;;
  *)
    sed -n '2,35p' "$0"
    exit 2
    ;;
esac
