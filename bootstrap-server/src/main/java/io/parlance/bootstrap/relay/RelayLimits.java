package io.parlance.bootstrap.relay;

import java.time.Duration;
import java.util.Objects;

/**
 * What an operator allows the relay and the reachability probe.
 *
 * @param enabled whether the server relays at all (and probes registrations)
 * @param maxSessionsPerPeer most sessions, waiting or open, one peer id may take part in
 * @param maxSessions most sessions, waiting or open, in all
 * @param bytesPerSecondPerSession steady rate each direction of a session may carry
 * @param idleTimeout how long a session may carry no byte either way before it is closed
 * @param joinTimeout how long both sides have to join with their tokens once paired
 * @param probeTimeout how long the connection back to a registering peer may take
 * @param probesPerSecond steady rate of probes, all registrations together (the rest go unprobed)
 */
public record RelayLimits(
    boolean enabled,
    int maxSessionsPerPeer,
    int maxSessions,
    long bytesPerSecondPerSession,
    Duration idleTimeout,
    Duration joinTimeout,
    Duration probeTimeout,
    double probesPerSecond) {

  /** The defaults: on, 8 sessions a peer, 1000 in all, 4 MiB/s, 2 min idle, 10 s to join. */
  public static final RelayLimits DEFAULTS =
      new RelayLimits(
          true,
          8,
          1000,
          4L * 1024 * 1024,
          Duration.ofMinutes(2),
          Duration.ofSeconds(10),
          Duration.ofMillis(1500),
          50);

  /** Checks the limits. */
  public RelayLimits {
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(joinTimeout, "joinTimeout");
    Objects.requireNonNull(probeTimeout, "probeTimeout");
    if (maxSessionsPerPeer < 1 || maxSessions < 1 || probesPerSecond <= 0) {
      throw new IllegalArgumentException("relay session limits must be at least 1");
    }
    if (bytesPerSecondPerSession < 1024) {
      throw new IllegalArgumentException(
          "the relay's bytes per second per session must be at least 1024: "
              + bytesPerSecondPerSession);
    }
    if (idleTimeout.toMillis() < 100 || joinTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("the relay's timeouts must be at least 100 ms");
    }
    if (probeTimeout.toMillis() < 50 || probeTimeout.toSeconds() > 30) {
      throw new IllegalArgumentException("the probe timeout must be 50 ms to 30 s");
    }
  }

  /**
   * Returns these limits with the relay on or off.
   *
   * @param on whether to relay
   * @return the limits
   */
  public RelayLimits withEnabled(boolean on) {
    return new RelayLimits(
        on,
        maxSessionsPerPeer,
        maxSessions,
        bytesPerSecondPerSession,
        idleTimeout,
        joinTimeout,
        probeTimeout,
        probesPerSecond);
  }
}
