# A Parlance peer. Build the jar first (mvn -B -DskipTests package), then:
#   docker build -f docker/client.Dockerfile -t parlance/client .
# BASE_IMAGE is any Java 17+ runtime with a POSIX shell.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
COPY parlance-client/target/parlance.jar /opt/parlance/parlance.jar
COPY docker/parlance /usr/local/bin/parlance
# A home the unprivileged user owns: profiles, keys and the control socket live under it.
COPY --chown=10001:10001 docker/home/ /home/parlance/
ENV HOME=/home/parlance PATH="/usr/local/bin:${PATH}"
USER 10001:10001
WORKDIR /home/parlance
ENTRYPOINT ["/usr/local/bin/parlance"]
CMD ["--help"]
