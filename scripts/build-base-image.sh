#!/usr/bin/env bash
# build-base-image.sh — build the local JRE base image `parlance/jre-base:local`
# from the machine's own JDK 17, without pulling anything from a registry.
#
# Usage:
#   scripts/build-base-image.sh               # build, or skip if up to date
#   scripts/build-base-image.sh --force       # rebuild even if up to date
#   scripts/build-base-image.sh --print-name  # print the image name and exit
#
# Why: no image registry can be reached on CI/dev machines, so `FROM
# eclipse-temurin:17-jre` cannot work there. Dockerfiles take
# `ARG BASE_IMAGE=eclipse-temurin:17-jre` and CI passes
# `--build-arg BASE_IMAGE=parlance/jre-base:local` (see scripts/README.md).
#
# The image is one layer made with `docker import` from a directory tree:
#   /opt/java        a jlink'd JRE (modules: $JRE_MODULES below), CDS archive included
#   /lib*, /usr/lib* the shared libraries its ELF files need (found with ldd), and
#                    those of the native code the application loads (SQLite's driver)
#   /bin/busybox     busybox-static (from `apt-get download`, not installed on the host)
#                    with sh, ls, cat, ps, kill, sleep, wget, nc, ... as symlinks
#   /etc             passwd/group (root + parlance 10001:10001), nsswitch.conf
#   /usr/lib/locale/C.utf8  so that LANG=C.UTF-8 gives the JVM UTF-8
#   /tmp (1777), /home/parlance (owned by 10001)
# Env: PATH=/opt/java/bin:/bin:/usr/bin, JAVA_HOME=/opt/java, LANG=C.UTF-8.
#
# Idempotent: the image carries the label parlance.base.hash, a hash of this
# script, `java -version`, the module list and the host cacerts; when the image
# exists with the same hash the build is skipped (use --force to rebuild).
#
# Requirements: a running Docker daemon (scripts/ensure-docker.sh), a JDK 17 with
# jmods, apt-get (for busybox-static). Meant to run as root (CI is root): then the
# CDS archive is dumped in a chroot of the tree and /home/parlance is owned by
# 10001. As non-root it still works (no sudo used): the tree's java is run directly
# for the dump and /home/parlance is made mode 1777 instead.
#
# Environment (optional):
#   PARLANCE_BASE_IMAGE   image name              (default parlance/jre-base:local)
#   JAVA_HOME             JDK 17 to jlink from    (default: the one `javac` belongs to)
set -euo pipefail

# Modules of the JRE. Extend as dependencies change (check with `jdeps
# --print-module-deps` on the application jars). Deliberately NOT included:
# java.desktop, java.net.http, jdk.jdwp.agent, jdk.crypto.cryptoki.
JRE_MODULES="java.base,java.logging,java.xml,java.naming,java.management,java.sql,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns,jdk.zipfs"

IMAGE="${PARLANCE_BASE_IMAGE:-parlance/jre-base:local}"
APP_UID=10001
APP_GID=10001
APP_USER=parlance
# Busybox applets linked into /bin when this busybox has them ("sh" is required).
BUSYBOX_APPLETS="sh ash ls cat cp mv rm mkdir rmdir ln ps kill sleep wget nc echo env id
  grep sed awk head tail wc sort uniq tr cut find xargs touch chmod chown date du df
  hostname ip ifconfig netstat ping nslookup top free uname which true false test
  printf pwd basename dirname readlink tee vi less more gzip gunzip tar timeout uptime
  pidof pgrep pkill nohup usleep stat"

export DOCKER_BUILDKIT=0
export COMPOSE_DOCKER_CLI_BUILD=0
export DEBIAN_FRONTEND=noninteractive

log()  { echo "[base-image] $*"; }
fail() { echo "[base-image] ERROR: $*" >&2; exit 1; }

# shellcheck source=lib/image-build.sh
. "$(dirname "$0")/lib/image-build.sh"
image_args "$@"

# --- preconditions ----------------------------------------------------------
need_docker

if [ -z "${JAVA_HOME:-}" ]; then
  command -v javac >/dev/null 2>&1 || fail "no JDK: set JAVA_HOME or put javac on PATH (apt-get install openjdk-17-jdk-headless)"
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
JDK="$JAVA_HOME"
[ -x "$JDK/bin/jlink" ] || fail "$JDK/bin/jlink not found (JAVA_HOME must be a JDK, not a JRE)"
[ -d "$JDK/jmods" ]     || fail "$JDK/jmods not found: jlink needs the JDK's jmods"
JAVA_VERSION="$("$JDK/bin/java" -version 2>&1)"
echo "$JAVA_VERSION" | head -n1 | grep -q '"17[."]' \
  || fail "JDK at $JDK is not Java 17: $(echo "$JAVA_VERSION" | head -n1)"

HOST_CACERTS=/etc/ssl/certs/java/cacerts

# --- up to date? ------------------------------------------------------------
SCRIPT_PATH="$(readlink -f "$0")"
INPUT_HASH="$( {
  cat "$SCRIPT_PATH"
  echo "$JAVA_VERSION"
  echo "$JRE_MODULES"
  if [ -f "$HOST_CACERTS" ]; then sha256sum <"$HOST_CACERTS"; fi
} | sha256sum | cut -c1-32)"

OLD_ID="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
if [ "$FORCE" -eq 0 ] && [ -n "$OLD_ID" ]; then
  have="$(image_label "$IMAGE" parlance.base.hash)"
  if [ "$have" = "$INPUT_HASH" ]; then
    log "$IMAGE is up to date (hash $INPUT_HASH): skipping (use --force to rebuild)"
    exit 0
  fi
  log "$IMAGE exists with hash '${have:-none}', inputs hash $INPUT_HASH: rebuilding"
fi

START=$(date +%s)
WORK="$(mktemp -d /tmp/parlance-base.XXXXXX)"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
TREE="$WORK/tree"
mkdir -p "$TREE"
IS_ROOT=0; [ "$(id -u)" -eq 0 ] && IS_ROOT=1

# --- 1. JRE -----------------------------------------------------------------
log "jlink JRE from $JDK ($JRE_MODULES)"
mkdir -p "$TREE/opt"
"$JDK/bin/jlink" --add-modules "$JRE_MODULES" \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$TREE/opt/java" >"$WORK/jlink.log" 2>&1 \
  || { cat "$WORK/jlink.log" >&2; fail "jlink failed"; }

if [ -f "$HOST_CACERTS" ]; then
  log "host cacerts over the JRE's ($HOST_CACERTS)"
  rm -f "$TREE/opt/java/lib/security/cacerts"
  cp -L "$HOST_CACERTS" "$TREE/opt/java/lib/security/cacerts"
else
  log "no $HOST_CACERTS on this host: keeping the JRE's own cacerts"
fi

# --- 2. shared libraries ------------------------------------------------------
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; }
copy_lib() {  # copy a host file (dereferenced) to the same path in the tree
  local src="$1"
  [ -e "$TREE$src" ] && return 0
  [ -f "$src" ] || fail "library $src (needed by the JRE) not found on the host"
  mkdir -p "$TREE$(dirname "$src")"
  cp -L "$src" "$TREE$src"
}

log "copy shared libraries needed by the JRE's ELF files (ldd)"
: >"$WORK/libs"
: >"$WORK/missing"
while IFS= read -r -d '' f; do
  is_elf "$f" || continue
  # ldd exits non-zero for static binaries; that is fine.
  ldd "$f" 2>/dev/null | while read -r a b c _; do
    if [ "$b" = "=>" ]; then
      case "$c" in
        not) echo "$a $f" >>"$WORK/missing" ;;   # "libX.so => not found"
        "$TREE"/*) ;;                             # inside the JRE itself
        /*) echo "$c" >>"$WORK/libs" ;;
      esac
    elif [ "${a#/}" != "$a" ]; then
      echo "$a" >>"$WORK/libs"                    # the dynamic loader
    fi
  done || true
done < <(find "$TREE/opt/java" -type f -print0)
# The loader always; libgcc_s is dlopen'ed by glibc (thread cancel/unwind), ldd cannot see that.
echo /lib64/ld-linux-x86-64.so.2 >>"$WORK/libs"
for extra in /lib/x86_64-linux-gnu/libgcc_s.so.1 /usr/lib/x86_64-linux-gnu/libgcc_s.so.1; do
  if [ -f "$extra" ]; then echo "$extra" >>"$WORK/libs"; break; fi
done
# Native code in the application's jars is extracted and loaded at run time, so ldd cannot see
# its needs from here either: SQLite's JDBC driver (libsqlitejdbc.so) links libm and libpthread,
# Netty's epoll transport (the daemon's control socket) links libdl and librt, and JLine's
# terminal support loads libutil (without it the chat falls back to a dumb terminal).
for extra in libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1; do
  for dir in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
    if [ -f "$dir/$extra" ]; then echo "$dir/$extra" >>"$WORK/libs"; break; fi
  done
done
sort -u "$WORK/libs" -o "$WORK/libs"
while read -r lib; do copy_lib "$lib"; done <"$WORK/libs"
# libjvm.so is found by the launcher, not by the loader: "not found" for it is expected.
if grep -v '^libjvm\.so ' "$WORK/missing" | sort -u | grep -q .; then
  echo "[base-image] ERROR: unresolved libraries (library, needed by):" >&2
  grep -v '^libjvm\.so ' "$WORK/missing" | sort -u >&2
  exit 1
fi
log "  $(wc -l <"$WORK/libs") libraries: $(xargs -n1 basename <"$WORK/libs" | tr '\n' ' ')"

# ld.so.cache so that the loader also finds libraries outside its default dirs
# (native libraries a later layer might add).
if command -v ldconfig >/dev/null 2>&1 || [ -x /sbin/ldconfig ]; then
  lib_dirs="$( { find "$TREE" -type f \( -name '*.so' -o -name '*.so.[0-9]*' \) ! -path "$TREE/opt/*" \
      -printf '%h\n' | sed "s|^$TREE||"; echo /usr/lib/x86_64-linux-gnu; } | sort -u)"
  mkdir -p "$TREE/etc"
  echo "$lib_dirs" >"$TREE/etc/ld.so.conf"
  "$(command -v ldconfig || echo /sbin/ldconfig)" -r "$TREE" 2>/dev/null \
    || log "  ldconfig -r failed (not fatal: the default library dirs are searched anyway)"
fi

# --- 3. busybox -----------------------------------------------------------------
log "busybox-static via apt-get download (no host install)"
mkdir -p "$WORK/deb"
chmod 755 "$WORK" "$WORK/deb"   # let apt's _apt user write there (no "unsandboxed" warning)
if ! (cd "$WORK/deb" && apt-get download busybox-static >"$WORK/apt.log" 2>&1); then
  log "  download failed, running apt-get update and retrying"
  if [ "$IS_ROOT" -eq 1 ]; then
    apt-get update >>"$WORK/apt.log" 2>&1 || true
  else
    log "  not root: cannot run apt-get update (run it as root if the download keeps failing)"
  fi
  (cd "$WORK/deb" && apt-get download busybox-static >>"$WORK/apt.log" 2>&1) \
    || { tail -n 20 "$WORK/apt.log" >&2; fail "apt-get download busybox-static failed"; }
fi
DEB="$(find "$WORK/deb" -maxdepth 1 -name 'busybox-static_*.deb' | head -n1)"
[ -n "$DEB" ] || fail "busybox-static .deb not found after download"
dpkg-deb -x "$DEB" "$WORK/bb"
BB_SRC="$WORK/bb/bin/busybox"
[ -x "$BB_SRC" ] || fail "bin/busybox not found in $(basename "$DEB")"
mkdir -p "$TREE/bin" "$TREE/usr/bin"
cp "$BB_SRC" "$TREE/bin/busybox"
AVAILABLE=" $("$BB_SRC" --list | tr '\n' ' ') "
linked=""
for app in $BUSYBOX_APPLETS; do
  case "$AVAILABLE" in *" $app "*) ;; *) continue ;; esac
  [ -e "$TREE/bin/$app" ] || ln -s busybox "$TREE/bin/$app"
  linked="$linked $app"
done
[ -L "$TREE/bin/sh" ] || fail "busybox has no 'sh' applet"
# Some tools expect /usr/bin/env.
[ -e "$TREE/usr/bin/env" ] || ln -s ../../bin/busybox "$TREE/usr/bin/env"
log "  $(basename "$DEB"): linked $(echo "$linked" | wc -w | tr -d ' ') applets"

# --- 4. /etc, users, dirs -----------------------------------------------------
log "etc files, user $APP_USER ($APP_UID:$APP_GID), /tmp, /home/$APP_USER"
mkdir -p "$TREE/etc" "$TREE/tmp" "$TREE/root" "$TREE/home/$APP_USER" "$TREE/proc" "$TREE/sys" "$TREE/dev"
cat >"$TREE/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
$APP_USER:x:$APP_UID:$APP_GID:Parlance:/home/$APP_USER:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$TREE/etc/group" <<EOF
root:x:0:
$APP_USER:x:$APP_GID:
nogroup:x:65534:
EOF
cat >"$TREE/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
shadow: files
hosts:  files dns
networks: files
protocols: files
services: files
EOF
# The JDK and busybox look names up here; the files are tiny.
for f in /etc/services /etc/protocols; do
  if [ -f "$f" ]; then cp -L "$f" "$TREE$f"; fi
done
# LANG=C.UTF-8 needs glibc's compiled C.utf8 locale (not built into glibc 2.36);
# without it the JVM falls back to US-ASCII for file.encoding and file names.
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$TREE/usr/lib/locale"
  cp -rL /usr/lib/locale/C.utf8 "$TREE/usr/lib/locale/"
else
  log "  WARNING: /usr/lib/locale/C.utf8 missing on the host: the JVM will default to US-ASCII"
fi
chmod 644 "$TREE/etc/passwd" "$TREE/etc/group" "$TREE/etc/nsswitch.conf"
chmod 1777 "$TREE/tmp"
chmod 700 "$TREE/root"
if [ "$IS_ROOT" -eq 1 ]; then
  chown -R "$APP_UID:$APP_GID" "$TREE/home/$APP_USER"
  chmod 755 "$TREE/home/$APP_USER"
else
  log "  not root: /home/$APP_USER made 1777 instead of owned by $APP_UID"
  chmod 1777 "$TREE/home/$APP_USER"
fi

# --- 5. CDS archive -----------------------------------------------------------
log "class-data-sharing archive (java -Xshare:dump)"
# In the chroot there is no /proc, so the loader cannot expand $ORIGIN (the
# launcher's RUNPATH to libjli.so): LD_LIBRARY_PATH stands in for it.
IN_TREE=(env -i PATH=/opt/java/bin:/bin LD_LIBRARY_PATH=/opt/java/lib:/opt/java/lib/server)
if [ "$IS_ROOT" -eq 1 ] && command -v chroot >/dev/null 2>&1; then
  chroot "$TREE" "${IN_TREE[@]}" /opt/java/bin/java -Xshare:dump >"$WORK/cds.log" 2>&1 \
    || { tail -n 20 "$WORK/cds.log" >&2; fail "java -Xshare:dump in chroot failed"; }
else
  # Same host libraries as copied into the tree; the archive stays valid once the
  # JRE is at /opt/java (the JDK accepts a relocated runtime image).
  "$TREE/opt/java/bin/java" -Xshare:dump >"$WORK/cds.log" 2>&1 \
    || { tail -n 20 "$WORK/cds.log" >&2; fail "java -Xshare:dump failed"; }
fi
[ -f "$TREE/opt/java/lib/server/classes.jsa" ] || fail "CDS archive lib/server/classes.jsa was not written"
if [ "$IS_ROOT" -eq 1 ] && command -v chroot >/dev/null 2>&1; then
  chroot "$TREE" "${IN_TREE[@]}" /opt/java/bin/java -Xshare:on -version >"$WORK/check.log" 2>&1 \
    || { cat "$WORK/check.log" >&2; fail "the JRE does not start in its own tree"; }
  chroot "$TREE" /bin/sh -c 'id parlance >/dev/null' \
    || fail "busybox sh / id do not work in the tree"
fi

# --- 6. import ------------------------------------------------------------------
TREE_SIZE="$(du -sh "$TREE" | cut -f1)"
log "docker import -> $IMAGE (tree $TREE_SIZE)"
TAR_OPTS=(--numeric-owner)
[ "$IS_ROOT" -eq 1 ] || TAR_OPTS+=(--owner=0 --group=0)
tar -C "$TREE" "${TAR_OPTS[@]}" -c . | docker import \
  --change 'ENV PATH=/opt/java/bin:/bin:/usr/bin' \
  --change 'ENV JAVA_HOME=/opt/java' \
  --change 'ENV LANG=C.UTF-8' \
  --change "LABEL parlance.base.hash=$INPUT_HASH" \
  --change 'LABEL org.opencontainers.image.description="Parlance local JRE 17 base (jlink + busybox)"' \
  --change 'CMD ["java", "-version"]' \
  --message "parlance jre-base from $JDK" \
  - "$IMAGE" >/dev/null \
  || fail "docker import failed"

NEW_ID="$(docker image inspect -f '{{.Id}}' "$IMAGE")"
if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$NEW_ID" ]; then
  # The previous build is now untagged; drop it unless something still uses it.
  if docker image rm "$OLD_ID" >/dev/null 2>&1; then
    log "removed the previous build $(echo "${OLD_ID#sha256:}" | cut -c1-12)"
  else
    log "kept the previous build $(echo "${OLD_ID#sha256:}" | cut -c1-12) (still in use)"
  fi
fi
SIZE="$(docker image inspect -f '{{.Size}}' "$IMAGE")"
log "built $IMAGE: $(( SIZE / 1000000 )) MB, hash $INPUT_HASH, in $(( $(date +%s) - START )) s"
