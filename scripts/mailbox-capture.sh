#!/usr/bin/env bash
# Captures a bootstrap server's traffic on lo while alice deposits a message for bob (who is away)
# and bob fetches it, then checks that neither the capture nor the server's files hold the text.
# Needs root for tcpdump (installed with apt-get when missing) and the built jars
# (mvn -B -DskipTests package). Everything runs on 127.0.0.1; the files go to a temp directory.
#   scripts/mailbox-capture.sh [port]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-18557}"
server_jar="${SERVER_JAR:-$root/bootstrap-server/target/bootstrap-server.jar}"
client_jar="${CLIENT_JAR:-$root/parlance-client/target/parlance.jar}"
for j in "$server_jar" "$client_jar"; do
  [ -f "$j" ] || { echo "missing $j: build with mvn -B -DskipTests package" >&2; exit 1; }
done
command -v tcpdump > /dev/null || { apt-get update -qq && apt-get install -y -qq tcpdump > /dev/null; }
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; }
trap cleanup EXIT
secret="the mailbox text $RANDOM$RANDOM must stay sealed"

tcpdump -i lo -U -w "$work/capture.pcap" "tcp port $port" 2> "$work/tcpdump.log" &
pids+=($!)
java -jar "$server_jar" --host 127.0.0.1 --port "$port" --mailbox-file "$work/server/mailbox.db" \
  > "$work/server.log" 2>&1 &
pids+=($!)
sleep 4

# peer NAME: reads commands appended to NAME.cmd, writes JSON events to NAME.out
peer() {
  : > "$work/$1.cmd"
  ( cd "$work"; export XDG_DATA_HOME="$work/$1/data" XDG_STATE_HOME="$work/$1/state" \
      XDG_CONFIG_HOME="$work/$1/config"
    exec > "$1.out" 2> "$1.err"
    tail -n +1 -f "$1.cmd" | java -jar "$client_jar" --nickname "$1" --mode internet \
      --bootstrap "ws://127.0.0.1:$port" --json ) &
  pids+=($!)
}
wait_for() { # file pattern seconds
  for _ in $(seq 1 "$3"); do grep -q "$2" "$1" 2> /dev/null && return 0; sleep 1; done
  echo "timed out waiting for $2 in $1" >&2; return 1
}

peer alice; peer bob
wait_for "$work/alice.out" '"peer_joined","nickname":"bob"' 30
echo "/send bob hello" >> "$work/alice.cmd"
wait_for "$work/bob.out" '"content":"hello"' 30
echo "/quit" >> "$work/bob.cmd"
wait_for "$work/bob.out" '"stopped"' 30
wait_for "$work/alice.out" '"peer_left"' 30
echo "/send bob $secret" >> "$work/alice.cmd"
wait_for "$work/alice.out" '"state":"deposited"' 30
echo "/quit" >> "$work/alice.cmd"
wait_for "$work/alice.out" '"stopped"' 30
mv "$work/bob.out" "$work/bob.first.out"
peer bob
wait_for "$work/bob.out" "$secret" 30
echo "/quit" >> "$work/bob.cmd"
wait_for "$work/bob.out" '"stopped"' 30
sleep 1
kill "${pids[0]}"; sleep 1

status=0
bytes=$(stat -c %s "$work/capture.pcap")
if grep -a -q "must stay sealed" "$work/capture.pcap"; then
  echo "FAIL: the capture ($bytes bytes) holds the message text" >&2; status=1
else
  echo "ok: the capture of the server's port ($bytes bytes) holds no message text"
fi
if grep -a -q -r "must stay sealed" "$work/server"; then
  echo "FAIL: the server's files hold the message text" >&2; status=1
else
  echo "ok: the server's files ($(du -sb "$work/server" | cut -f1) bytes) hold no message text"
fi
if grep -a -q "mail_deposit" "$work/capture.pcap" || grep -a -q '"type":"mail"' "$work/capture.pcap"; then
  echo "ok: the capture holds the mailbox frames (server to peer frames are not masked)"
fi
echo "bob got it: $(grep -c "$secret" "$work/bob.out") time(s); files in $work"
exit $status
