# The NAT router of docker-compose.nat.yml: the local router image (scripts/build-router-image.sh:
# iptables and busybox, nothing pulled) under the demo's own tag, so that removing the demo's
# images (docker-compose down --rmi all) leaves the local image in place.
ARG ROUTER_IMAGE=parlance/router:local
FROM ${ROUTER_IMAGE}
