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
#   natlab.sh exec NS CMD  run CMD in namespace NS (srv, ha, hb, ra, rb)
#   natlab.sh down         remove every nlab- namespace
#
# A home host reaches the server (through its router's NAT); nothing on the internet side, nor
# the other home, can open a connection to a home host: its router has no port forwarded.
# Needs root.
set -euo pipefail

P=nlab

need() {
  command -v ip >/dev/null && command -v iptables >/dev/null && return
  apt-get install -y iproute2 iptables >/dev/null
}

veth() { # veth NAME_A NS_A NAME_B NS_B
  ip link add "$1" type veth peer name "$3"
  ip link set "$1" netns "$2"
  ip link set "$3" netns "$4"
  ip -n "$2" link set "$1" up
  ip -n "$4" link set "$3" up
}

up() {
  need
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
    ip netns exec "$P-$r" iptables -t nat -A POSTROUTING -o "$wan" -j MASQUERADE
    # A home router: nothing from the internet gets in unless it answers a connection from inside.
    ip netns exec "$P-$r" iptables -A FORWARD -i "$wan" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    ip netns exec "$P-$r" iptables -A FORWARD -i "$wan" -j DROP
  done
  echo "natlab up: server 198.19.0.10 (nlab-srv); home A 198.19.1.2 behind 198.19.0.1; home B 198.19.2.2 behind 198.19.0.2"
}

down() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
    ip netns del "$ns"
  done
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) up ;;
  down) down ;;
  exec)
    ns=$1
    shift
    exec ip netns exec "$P-$ns" "$@"
    ;;
  *)
    sed -n '2,20p' "$0"
    exit 2
    ;;
esac
