package io.parlance.bootstrap;

import io.netty.handler.ssl.SslContext;
import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.registry.InMemoryRegistry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.bootstrap.relay.RelayLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Immutable settings of a {@link BootstrapServer}; build with {@link #builder()}.
 *
 * @param host the address to bind
 * @param port the TCP port to bind, 0 for any free port
 * @param deadAfter how long a connection may stay silent (no frame, no pong) before it is closed
 * @param maxConnectionsPerIp most concurrent WebSocket connections from one client IP
 * @param maxPendingPerIp most connections from one TCP peer IP whose request is not complete yet,
 *     counted from the accept, before any parsing (not applied with {@code trustProxy})
 * @param requestTimeout how long a connection has, from its accept, to finish its WebSocket
 *     handshake (TLS, request headers, upgrade) before it is closed
 * @param registrationsPerSecondPerIp steady registration rate allowed per client IP
 * @param registrationBurstPerIp registrations allowed at once per client IP
 * @param framesPerSecond steady rate of frames a connection may send
 * @param frameBurst frames a connection may send at once
 * @param maxStrikes bad or over-rate frames a connection may send before it is closed with 1008
 * @param batchInterval how long join and leave events are collected before they are sent
 * @param trustProxy whether to take the client IP from {@code X-Forwarded-For} / {@code X-Real-IP}
 * @param sslContext the TLS context for {@code wss://}, or null for plain {@code ws://}
 * @param registry makes the registry of online peers
 * @param nicknameHold how long a nickname stays reserved for the key that last held it, after it
 *     left (zero: not at all)
 * @param maxNicknameHolds the most nicknames kept reserved at once, the oldest dropped first
 * @param mailbox the sealed mailbox's settings, or null for no mailbox
 * @param cluster the cluster to share the registry with through Redis, or null to keep it in this
 *     process (then {@code registry} makes it)
 * @param relay the relay's and the reachability probe's limits
 * @param publicUrl the URL peers reach this server at ({@code ws://} or {@code wss://}, with any
 *     path prefix of a reverse proxy), which offers from other servers of a cluster name as the
 *     relay to join; null to derive it from the bound address ({@link PublicUrl})
 */
public record BootstrapServerConfig(
    String host,
    int port,
    Duration deadAfter,
    int maxConnectionsPerIp,
    int maxPendingPerIp,
    Duration requestTimeout,
    double registrationsPerSecondPerIp,
    int registrationBurstPerIp,
    double framesPerSecond,
    int frameBurst,
    int maxStrikes,
    Duration batchInterval,
    boolean trustProxy,
    SslContext sslContext,
    Supplier<Registry> registry,
    Duration nicknameHold,
    int maxNicknameHolds,
    MailboxConfig mailbox,
    ClusterOptions cluster,
    RelayLimits relay,
    String publicUrl) {

  /** Checks the settings. */
  public BootstrapServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(deadAfter, "deadAfter");
    Objects.requireNonNull(batchInterval, "batchInterval");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.toMillis() < 100) {
      throw new IllegalArgumentException(
          "requestTimeout must be at least 100 ms: " + requestTimeout);
    }
    Objects.requireNonNull(nicknameHold, "nicknameHold");
    Objects.requireNonNull(relay, "relay");
    if (publicUrl != null) {
      PublicUrl.check(publicUrl);
    }
    if (nicknameHold.isNegative() || maxNicknameHolds < 0) {
      throw new IllegalArgumentException("nickname holds must not be negative");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0-65535: " + port);
    }
    if (deadAfter.toMillis() < 200) {
      throw new IllegalArgumentException("deadAfter must be at least 200 ms: " + deadAfter);
    }
    if (maxConnectionsPerIp < 1
        || maxPendingPerIp < 1
        || registrationsPerSecondPerIp <= 0
        || registrationBurstPerIp < 1
        || framesPerSecond <= 0
        || frameBurst < 1
        || maxStrikes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /**
   * Starts a builder with the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link BootstrapServerConfig}; every setting has a sensible default. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8080;
    private Duration deadAfter = Duration.ofSeconds(30);
    private int maxConnectionsPerIp = 32;
    private int maxPendingPerIp = 16;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private double registrationsPerSecondPerIp = 2;
    private int registrationBurstPerIp = 20;
    private double framesPerSecond = 20;
    private int frameBurst = 100;
    private int maxStrikes = 10;
    private Duration batchInterval = Duration.ofMillis(200);
    private boolean trustProxy;
    private SslContext sslContext;
    private Supplier<Registry> registry = InMemoryRegistry::new;
    private Duration nicknameHold = Duration.ofHours(24);
    private int maxNicknameHolds = 100_000;
    private MailboxConfig mailbox;
    private ClusterOptions cluster;
    private RelayLimits relay = RelayLimits.DEFAULTS;
    private String publicUrl;

    private Builder() {}

    /**
     * Sets the bind address (default {@code 0.0.0.0}).
     *
     * @param host the address
     * @return this builder
     */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /**
     * Sets the port (default 8080; 0 picks a free one).
     *
     * @param port the port
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Sets how long a silent connection lives (default 30 s).
     *
     * @param deadAfter the time
     * @return this builder
     */
    public Builder deadAfter(Duration deadAfter) {
      this.deadAfter = deadAfter;
      return this;
    }

    /**
     * Sets the per-IP connection limit (default 32).
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxConnectionsPerIp(int max) {
      this.maxConnectionsPerIp = max;
      return this;
    }

    /**
     * Sets how many connections one TCP peer IP may hold before its request is complete (default
     * 16); they are counted from the accept, before any parsing, so a client trickling headers
     * cannot hold more. Not applied with {@link #trustProxy}.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxPendingPerIp(int max) {
      this.maxPendingPerIp = max;
      return this;
    }

    /**
     * Sets how long a connection has from its accept to finish its WebSocket handshake (TLS,
     * request headers, upgrade) before it is closed (default 10 s).
     *
     * @param timeout the deadline, at least 100 ms
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Sets the per-IP registration rate (default 2/s with bursts of 20).
     *
     * @param perSecond the steady rate
     * @param burst how many at once
     * @return this builder
     */
    public Builder registrationRatePerIp(double perSecond, int burst) {
      this.registrationsPerSecondPerIp = perSecond;
      this.registrationBurstPerIp = burst;
      return this;
    }

    /**
     * Sets the per-connection frame rate (default 20/s with bursts of 100).
     *
     * @param perSecond the steady rate
     * @param burst how many at once
     * @return this builder
     */
    public Builder frameRate(double perSecond, int burst) {
      this.framesPerSecond = perSecond;
      this.frameBurst = burst;
      return this;
    }

    /**
     * Sets how many bad frames close a connection (default 10).
     *
     * @param maxStrikes the count
     * @return this builder
     */
    public Builder maxStrikes(int maxStrikes) {
      this.maxStrikes = maxStrikes;
      return this;
    }

    /**
     * Sets how long join/leave events are batched (default 200 ms).
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder batchInterval(Duration interval) {
      this.batchInterval = interval;
      return this;
    }

    /**
     * Trusts {@code X-Forwarded-For} for the client IP (only behind your own reverse proxy).
     *
     * @param trustProxy whether to trust it
     * @return this builder
     */
    public Builder trustProxy(boolean trustProxy) {
      this.trustProxy = trustProxy;
      return this;
    }

    /**
     * Serves {@code wss://} with this TLS context (default none: plain {@code ws://}).
     *
     * @param sslContext a server context, or null
     * @return this builder
     */
    public Builder sslContext(SslContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * Sets how the registry is made (default {@link InMemoryRegistry}).
     *
     * @param registry makes a registry
     * @return this builder
     */
    public Builder registry(Supplier<Registry> registry) {
      this.registry = registry;
      return this;
    }

    /**
     * Keeps a nickname reserved for the key that last held it, after it left (default 24 h, at most
     * 100,000 nicknames): meanwhile a plain, Rust or other-key registration of it is refused.
     *
     * @param hold how long; zero for no reservation
     * @param max the most nicknames reserved at once
     * @return this builder
     */
    public Builder nicknameHold(Duration hold, int max) {
      this.nicknameHold = hold;
      this.maxNicknameHolds = max;
      return this;
    }

    /**
     * Sets the sealed mailbox; without one the server keeps no mail.
     *
     * @param mailbox its settings, or null for none
     * @return this builder
     */
    public Builder mailbox(MailboxConfig mailbox) {
      this.mailbox = mailbox;
      return this;
    }

    /**
     * Shares the registry, the nickname claims and the join/leave events with the other servers on
     * one Redis (default: none, the registry lives in this process).
     *
     * @param cluster the cluster settings, or null for none
     * @return this builder
     */
    public Builder cluster(ClusterOptions cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * Sets the relay's limits (default {@link RelayLimits#DEFAULTS}).
     *
     * @param relay the limits
     * @return this builder
     */
    public Builder relay(RelayLimits relay) {
      this.relay = relay;
      return this;
    }

    /**
     * Sets the URL peers reach this server at, e.g. {@code wss://bs1.example.org/parlance}
     * (default: derived from the bound address, see {@link PublicUrl}).
     *
     * @param publicUrl the URL, or null for the default
     * @return this builder
     */
    public Builder publicUrl(String publicUrl) {
      this.publicUrl = publicUrl;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     */
    public BootstrapServerConfig build() {
      return new BootstrapServerConfig(
          host,
          port,
          deadAfter,
          maxConnectionsPerIp,
          maxPendingPerIp,
          requestTimeout,
          registrationsPerSecondPerIp,
          registrationBurstPerIp,
          framesPerSecond,
          frameBurst,
          maxStrikes,
          batchInterval,
          trustProxy,
          sslContext,
          registry,
          nicknameHold,
          maxNicknameHolds,
          mailbox,
          cluster,
          relay,
          publicUrl);
    }
  }
}
