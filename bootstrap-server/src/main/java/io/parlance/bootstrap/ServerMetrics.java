package io.parlance.bootstrap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.bootstrap.relay.ReachabilityProbe;
import io.parlance.bootstrap.relay.RelayBroker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The server's counters and gauges, scraped in Prometheus text format at {@code /metrics}. */
final class ServerMetrics {

  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger websockets = new AtomicInteger();
  private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
  final Counter registered;
  final Counter registrationsTaken;
  final Counter registrationsRejected;
  final Counter registrationsReplaced;
  final Counter registrationsBadSignature;
  final Counter lookupsFound;
  final Counter lookupsNotFound;
  final Counter lists;
  final Counter framesIn;
  final Counter framesOut;
  final Counter slowConsumersClosed;
  final Counter deadConnectionsClosed;
  final Counter abusersClosed;
  final Counter pendingLimitClosed;
  final Counter requestTimeoutClosed;

  ServerMetrics(Registry registry) {
    Gauge.builder("bootstrap.connections", connections, AtomicInteger::get)
        .description("Open TCP connections (HTTP and WebSocket)")
        .register(meters);
    Gauge.builder("bootstrap.websocket.connections", websockets, AtomicInteger::get)
        .description("Open WebSocket connections")
        .register(meters);
    Gauge.builder("bootstrap.peers.registered", registry, Registry::size)
        .description("Peers registered now")
        .register(meters);
    registered = registrations("registered");
    registrationsTaken = registrations("nickname_taken");
    registrationsRejected = registrations("rejected");
    registrationsReplaced = registrations("replaced");
    registrationsBadSignature = registrations("bad_signature");
    lookupsFound = lookups("found");
    lookupsNotFound = lookups("not_found");
    lists = Counter.builder("bootstrap.lists").description("Peer pages served").register(meters);
    framesIn =
        Counter.builder("bootstrap.frames.in")
            .description("Protocol frames received")
            .register(meters);
    framesOut =
        Counter.builder("bootstrap.frames.out")
            .description("Protocol frames sent (a fan-out counts once per recipient)")
            .register(meters);
    slowConsumersClosed = closed("slow_consumer");
    deadConnectionsClosed = closed("dead");
    abusersClosed = closed("policy_violation");
    pendingLimitClosed = closed("too_many_unfinished");
    requestTimeoutClosed = closed("request_timeout");
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
  }

  /** Reports the relay's sessions and bytes, and the reachability probes. */
  void relay(RelayBroker relay, ReachabilityProbe probe) {
    Gauge.builder("bootstrap.relay.sessions", relay, RelayBroker::sessions)
        .description("Relayed sessions now, waiting for a side or open")
        .register(meters);
    Gauge.builder("bootstrap.relay.sessions.paired", relay, RelayBroker::pairedSessions)
        .description("Relayed sessions with both sides joined")
        .register(meters);
    FunctionCounter.builder("bootstrap.relay.sessions.opened", relay, RelayBroker::sessionsOpened)
        .description("Relayed sessions opened")
        .register(meters);
    FunctionCounter.builder("bootstrap.relay.sessions.expired", relay, RelayBroker::expired)
        .description("Relayed sessions whose second side never joined")
        .register(meters);
    FunctionCounter.builder("bootstrap.relay.refused", relay, RelayBroker::refused)
        .description("Relay requests and joins refused")
        .register(meters);
    FunctionCounter.builder("bootstrap.relay.bytes", relay, RelayBroker::bytesRelayed)
        .description("Bytes relayed, both directions, WebSocket payload")
        .baseUnit("bytes")
        .register(meters);
    FunctionCounter.builder("bootstrap.relay.frames", relay, RelayBroker::framesRelayed)
        .description("Binary frames relayed")
        .register(meters);
    FunctionCounter.builder("bootstrap.probes", probe, ReachabilityProbe::reachable)
        .description("Reachability probes by result")
        .tag("result", "reachable")
        .register(meters);
    FunctionCounter.builder("bootstrap.probes", probe, ReachabilityProbe::unreachable)
        .description("Reachability probes by result")
        .tag("result", "unreachable")
        .register(meters);
    FunctionCounter.builder("bootstrap.probes", probe, ReachabilityProbe::skipped)
        .description("Reachability probes by result")
        .tag("result", "skipped")
        .register(meters);
  }

  private Counter registrations(String result) {
    return Counter.builder("bootstrap.registrations")
        .description("Registration attempts by result")
        .tag("result", result)
        .register(meters);
  }

  private Counter lookups(String result) {
    return Counter.builder("bootstrap.lookups")
        .description("Lookups by result")
        .tag("result", result)
        .register(meters);
  }

  private Counter closed(String reason) {
    return Counter.builder("bootstrap.connections.closed")
        .description("Connections the server closed, by reason")
        .tag("reason", reason)
        .register(meters);
  }

  /** Counts an error frame sent, by its code. */
  void error(String code) {
    errors
        .computeIfAbsent(
            code,
            c ->
                Counter.builder("bootstrap.errors")
                    .description("Error frames and refusals sent, by code")
                    .tag("code", c)
                    .register(meters))
        .increment();
  }

  /** Returns the registry, for components that add meters of their own (the mailbox). */
  MeterRegistry meters() {
    return meters;
  }

  AtomicInteger connections() {
    return connections;
  }

  AtomicInteger websockets() {
    return websockets;
  }

  /** Returns the Prometheus text exposition. */
  String scrape() {
    return meters.scrape();
  }

  void close() {
    meters.close();
  }
}
