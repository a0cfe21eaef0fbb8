#!/usr/bin/env bash
# Runs scripts/bootstrap-load.sh inside User-mode Linux: a Linux kernel of its own, run as an
# ordinary process, where the open-file limit can be raised past this machine's (20,000 per
# process here, which nothing in this sandbox may raise). The kernel sees the host's files
# read-write (hostfs) and has no network but its own loopback: every packet stays inside it. One
# CPU, and every system call is a round trip through the host, so rates and latencies measured in
# it are far below the host's; memory figures are the JVM's own and hold.
#
#   scripts/bootstrap-load-uml.sh CLIENTS [true|false] [LoadTool options...]
#   e.g. scripts/bootstrap-load-uml.sh 100000 false --probe-every 25000 --probe-size 50
#
# Installs the user-mode-linux package (Debian) when it is missing; UML_MEM sets the kernel's
# memory (default 8G). Bounded: the kernel is stopped after 45 minutes at most.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if ! command -v linux.uml >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "needs the user-mode-linux package: sudo apt-get install user-mode-linux" >&2
    exit 2
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq user-mode-linux >&2
fi
scripts/bootstrap-load.sh --build-only
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# What the run needs from here, read by the kernel's init before it mounts its own /tmp.
{
  printf 'cd %q\n' "$root"
  printf 'export SERVER_OPTS=%q\n' "${SERVER_OPTS:--Xmx1g}"
  printf 'set -- --no-build'
  printf ' %q' "$@"
  echo
} >"$work/params"
cat >"$work/init" <<'INIT'
#!/bin/sh
# init of the UML kernel: loopback only, a high open-file limit, the load run, then halt.
. "$(dirname "$0")/params"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
ip link set lo up
export LANG=C.UTF-8
ulimit -Hn 300000
ulimit -n 300000
echo "UML kernel $(uname -r): $(nproc) CPU, $(free -m | awk '/Mem/{print $2}') MiB," \
  "open files per process $(ulimit -n)"
scripts/bootstrap-load.sh "$@"
echo "load run exited with $?"
halt -f
INIT
chmod +x "$work/init"
# con0 is the console (our stdout); the kernel's own messages are left out by "quiet".
timeout 2700 linux.uml quiet mem="${UML_MEM:-8G}" root=/dev/root rootfstype=hostfs rootflags=/ rw \
  init="$work/init" con=null con0=fd:0,fd:1 </dev/null |
  grep --line-buffered -v -E '^(Checking|Initializing|Halting|reboot:|SELinux:|mmapper)|epollctl|ubd device'
