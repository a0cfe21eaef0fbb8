# The Parlance bootstrap server. Build the jar first (mvn -B -DskipTests package), then:
#   docker build -f docker/bootstrap-server.Dockerfile -t parlance/bootstrap-server .
# BASE_IMAGE is any Java 17+ runtime with a POSIX shell and wget (for the health check).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
COPY bootstrap-server/target/bootstrap-server.jar /opt/parlance/bootstrap-server.jar
# The mailbox's file: $XDG_DATA_HOME/parlance-bootstrap/mailbox.db, on a volume so that mail waiting
# for offline peers outlives the container.
ENV XDG_DATA_HOME=/var/lib/parlance
RUN mkdir -p /var/lib/parlance && chown 10001:10001 /var/lib/parlance
VOLUME /var/lib/parlance
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-jar", "/opt/parlance/bootstrap-server.jar"]
CMD ["--host", "0.0.0.0", "--port", "8080"]
