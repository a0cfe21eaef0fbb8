#!/usr/bin/env bash
# ensure-sshd.sh — a throwaway sshd on 127.0.0.1 for trying the chat over ssh (TerminalUiIT).
#
# Usage:
#   scripts/ensure-sshd.sh start DIR    # prints the port; then: ssh -F DIR/ssh_config -tt parlance-test ...
#   scripts/ensure-sshd.sh stop DIR     # stops that sshd by the PID in DIR/sshd.pid
#
# Everything it makes is in DIR (under target/ or /tmp): its own host key, config, a client key
# that is the only authorized key, a known_hosts with the host key, and a client config that reads
# nothing else (never ~/.ssh, never the system's sshd or its config). It listens on 127.0.0.1 only,
# on a free port, takes keys only (no passwords) and only from the user who starts it.
#
# If sshd is missing it installs openssh-server with apt-get (as ensure-tmux.sh does tmux), with
# services kept from starting (policy-rc.d), so the package's own sshd is never started. Exit codes:
# 0 started/stopped, 1 cannot (the reason on stderr), 2 usage.
set -euo pipefail
APT_LOG="${PARLANCE_APT_LOG:-/tmp/parlance-apt.log}"
export DEBIAN_FRONTEND=noninteractive

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
action="$1"
dir="$2"

say() { echo "[ensure-sshd] $*" >&2; }

sshd_binary() {
  for candidate in "$(command -v sshd 2>/dev/null || true)" /usr/sbin/sshd /usr/local/sbin/sshd; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

install_sshd() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "ERROR: sshd is missing and there is no apt-get; install OpenSSH's server by hand"
    return 1
  fi
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  # Keep the package from starting the system's sshd: a policy-rc.d that refuses every start,
  # only for the install and only if the machine has none of its own.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    made_policy=1
  fi
  say "installing openssh-server (apt-get, log in $APT_LOG; its service is not started)"
  local ok=0
  { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends openssh-server; } \
    >>"$APT_LOG" 2>&1 || ok=1
  [[ $made_policy == 1 ]] && $sudo rm -f "$policy"
  if [[ $ok != 0 ]]; then
    say "ERROR: apt-get could not install openssh-server; the end of $APT_LOG:"
    tail -n 20 "$APT_LOG" >&2
    return 1
  fi
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

start() {
  local sshd
  if ! sshd="$(sshd_binary)"; then
    install_sshd
    sshd="$(sshd_binary)" || { say "ERROR: no sshd after the install"; return 1; }
  fi
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  chmod 700 "$dir"
  if [[ -f "$dir/sshd.pid" ]] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then
    say "ERROR: an sshd of $dir runs already (PID $(cat "$dir/sshd.pid")); stop it first"
    return 1
  fi
  rm -f "$dir"/host_ed25519* "$dir"/client_ed25519* "$dir/sshd.pid"
  ssh-keygen -q -t ed25519 -N '' -C parlance-test-host -f "$dir/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C parlance-test-client -f "$dir/client_ed25519"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  chmod 600 "$dir/authorized_keys"
  # sshd running as root needs its privilege separation directory (the package makes it at boot).
  if [[ $(id -u) -eq 0 && ! -d /run/sshd ]]; then
    mkdir -p -m 0755 /run/sshd
  fi
  local user port attempt
  user="$(id -un)"
  for attempt in 1 2 3 4 5; do
    port="$(free_port)" || { say "ERROR: found no free port"; return 1; }
    cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
MaxSessions 4
MaxStartups 4
ClientAliveInterval 30
EOF
    rm -f "$dir/sshd.log"
    if "$sshd" -f "$dir/sshd_config" -E "$dir/sshd.log"; then
      for _ in $(seq 50); do
        [[ -s "$dir/sshd.pid" ]] && break
        sleep 0.1
      done
      if [[ -s "$dir/sshd.pid" ]] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then
        break
      fi
    fi
    say "sshd did not start on port $port (attempt $attempt): $(tail -n 2 "$dir/sshd.log" 2>/dev/null)"
    port=""
  done
  [[ -n "$port" ]] || { say "ERROR: sshd would not start; see $dir/sshd.log"; return 1; }
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
  cat >"$dir/ssh_config" <<EOF
Host parlance-test
  HostName 127.0.0.1
  Port $port
  User $user
  IdentityFile $dir/client_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
EOF
  say "sshd (PID $(cat "$dir/sshd.pid")) on 127.0.0.1:$port; ssh -F $dir/ssh_config -tt parlance-test"
  echo "$port"
}

stop() {
  [[ -d "$dir" ]] && dir="$(cd "$dir" && pwd)"
  if [[ ! -s "$dir/sshd.pid" ]]; then
    say "no sshd of $dir runs"
    return 0
  fi
  local pid
  pid="$(cat "$dir/sshd.pid")"
  # Only the sshd this script started with this directory's config.
  if kill -0 "$pid" 2>/dev/null && grep -q -- "$dir/sshd_config" "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    say "stopped sshd (PID $pid)"
  fi
  rm -f "$dir/sshd.pid"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
