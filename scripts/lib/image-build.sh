# image-build.sh: what the scripts that build local images (build-base-image.sh,
# build-redis-image.sh) share. Sourced, not run; the caller defines log() and fail() first.

# image_args "$@": --force sets FORCE=1, --print-name prints $IMAGE and exits, --help prints the
# caller's header comment and exits; anything else is an error.
image_args() {
  FORCE=0
  for arg in "$@"; do
    case "$arg" in
      --force) FORCE=1 ;;
      --print-name) echo "$IMAGE"; exit 0 ;;
      -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) fail "unknown argument '$arg' (expected --force, --print-name or --help)" ;;
    esac
  done
}

# need_docker: a docker client and a daemon that answers.
need_docker() {
  command -v docker >/dev/null 2>&1 || fail "docker client not found (run scripts/ensure-docker.sh)"
  timeout 20 docker info >/dev/null 2>&1 || fail "docker daemon does not answer (run scripts/ensure-docker.sh)"
}

# image_label IMAGE LABEL: the label's value on the image, empty when there is no such image.
image_label() {
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}
