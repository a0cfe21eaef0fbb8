package io.parlance.bootstrap.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Settings of a server's membership in a cluster on Redis.
 *
 * @param redisUri the Redis URL: {@code redis://host:6379}, {@code redis://:password@host}, {@code
 *     rediss://host} for TLS, a database as {@code /N}
 * @param serverId this server's name in the cluster, unique among the servers sharing the Redis
 * @param keyPrefix the prefix of every key and channel, so clusters can share one Redis
 * @param heartbeat how often the server tells Redis it is alive and sweeps dead servers' peers
 * @param liveness how long a server counts as alive after its last heartbeat: a killed server's
 *     peers are gone from everyone's listing within about {@code liveness + heartbeat}
 * @param entryTtl how long an entry lives in Redis without being refreshed (a backstop for when no
 *     server is left to sweep); refreshed every third of it
 * @param commandTimeout how long a claim may wait for Redis (while it is down, claims wait)
 * @param nicknameHold how long a key's nickname stays reserved for it after it left
 */
public record ClusterOptions(
    String redisUri,
    String serverId,
    String keyPrefix,
    Duration heartbeat,
    Duration liveness,
    Duration entryTtl,
    Duration commandTimeout,
    Duration nicknameHold) {

  /** Checks the settings. */
  public ClusterOptions {
    Objects.requireNonNull(redisUri, "redisUri");
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(liveness, "liveness");
    Objects.requireNonNull(entryTtl, "entryTtl");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(nicknameHold, "nicknameHold");
    if (serverId.isEmpty() || serverId.length() > 64 || !serverId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "the server id must be 1-64 letters, digits, '.', '_' or '-': '" + serverId + "'");
    }
    if (heartbeat.toMillis() < 50 || liveness.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "the heartbeat must be at least 50 ms and the liveness at least two heartbeats");
    }
    if (entryTtl.compareTo(liveness) < 0 || commandTimeout.toMillis() < 100) {
      throw new IllegalArgumentException(
          "the entry TTL must be at least the liveness, the command timeout at least 100 ms");
    }
  }

  /**
   * Settings with the defaults: a heartbeat every second, dead after 3 s, entries refreshed every
   * 20 s, claims waiting up to 5 s.
   *
   * @param redisUri the Redis URL
   * @param serverId this server's id, or null for a random one
   * @param nicknameHold how long a key's nickname stays reserved after it left
   * @return the settings
   */
  public static ClusterOptions defaults(String redisUri, String serverId, Duration nicknameHold) {
    return new ClusterOptions(
        redisUri,
        serverId == null ? randomId() : serverId,
        "parlance:",
        Duration.ofSeconds(1),
        Duration.ofSeconds(3),
        Duration.ofSeconds(60),
        Duration.ofSeconds(5),
        nicknameHold);
  }

  /**
   * Returns a copy with other heartbeat and liveness times (tests use short ones).
   *
   * @param heartbeat the heartbeat
   * @param liveness the liveness
   * @return the copy
   */
  public ClusterOptions withTimes(Duration heartbeat, Duration liveness) {
    return new ClusterOptions(
        redisUri, serverId, keyPrefix, heartbeat, liveness, entryTtl, commandTimeout, nicknameHold);
  }

  private static String randomId() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    return "bs-" + HexFormat.of().formatHex(b);
  }
}
