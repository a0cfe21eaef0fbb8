package io.parlance.client.internet;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.parlance.client.security.Identity;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Immutable settings of a {@link BootstrapClient}; build with {@link #builder(String, String,
 * int)}.
 *
 * @param server the server's {@code ws://} or {@code wss://} URL, checked
 * @param nickname the nickname to register
 * @param tcpPort the TCP port this peer listens on for messages
 * @param addresses other {@code ip:port} addresses to register; may be empty
 * @param sslContext the TLS context for {@code wss://}, or null for the system's trusted CAs
 * @param minBackoff the first reconnect delay
 * @param maxBackoff the longest reconnect delay
 * @param retryWhenNicknameTaken whether to keep retrying when the nickname is held on first
 *     registration (after a reconnect it is always retried: the held one may be our old self)
 * @param pingInterval how long the connection may be quiet before the client pings the server
 * @param deadAfter how long without anything from the server before the connection is dropped
 * @param connectTimeout how long a TCP connect and WebSocket handshake may take
 * @param requestTimeout how long a lookup may take
 * @param identity the identity to register with, signing the server's challenge; null to register
 *     plain (no id, key, capabilities)
 * @param caps the extensions to advertise with the identity (e.g. {@code tls}, {@code ack}); sent
 *     only with an identity, which signs them
 * @param fallbacks other servers of the same cluster, tried in turn when {@code server} goes away;
 *     may be empty
 */
public record BootstrapClientOptions(
    URI server,
    String nickname,
    int tcpPort,
    List<String> addresses,
    SslContext sslContext,
    Duration minBackoff,
    Duration maxBackoff,
    boolean retryWhenNicknameTaken,
    Duration pingInterval,
    Duration deadAfter,
    Duration connectTimeout,
    Duration requestTimeout,
    Identity identity,
    List<String> caps,
    List<URI> fallbacks) {

  /** Checks the settings. */
  public BootstrapClientOptions {
    Objects.requireNonNull(server, "server");
    Nickname.requireValid(nickname);
    Protocol.requireValidPort("tcp_port", tcpPort);
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(minBackoff, "minBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(pingInterval, "pingInterval");
    Objects.requireNonNull(deadAfter, "deadAfter");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    caps = List.copyOf(BootstrapProtocol.requireValidCaps(Objects.requireNonNull(caps, "caps")));
    fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
  }

  /**
   * Returns these options for another server of the cluster.
   *
   * @param other the server
   * @return the copy
   */
  public BootstrapClientOptions withServer(URI other) {
    return new BootstrapClientOptions(
        other,
        nickname,
        tcpPort,
        addresses,
        sslContext,
        minBackoff,
        maxBackoff,
        retryWhenNicknameTaken,
        pingInterval,
        deadAfter,
        connectTimeout,
        requestTimeout,
        identity,
        caps,
        fallbacks);
  }

  /**
   * Starts a builder.
   *
   * @param serverUrl the server's URL, e.g. {@code ws://host:8080} or {@code wss://host}; several
   *     servers of one cluster separated by commas, the first tried first
   * @param nickname the nickname to register
   * @param tcpPort this peer's TCP port
   * @return a builder
   * @throws IllegalArgumentException with a clear message if the URL is not a usable ws/wss URL
   */
  public static Builder builder(String serverUrl, String nickname, int tcpPort) {
    Objects.requireNonNull(serverUrl, "serverUrl");
    String[] urls = serverUrl.split(",", -1);
    Builder b = new Builder(parseServerUrl(urls[0]), nickname, tcpPort);
    for (int i = 1; i < urls.length; i++) {
      b.fallbacks.add(parseServerUrl(urls[i]));
    }
    return b;
  }

  /** Whether the server URL asks for TLS. */
  boolean secure() {
    return "wss".equals(server.getScheme());
  }

  /** The server's port, with the scheme's default filled in. */
  int port() {
    return server.getPort() > 0 ? server.getPort() : secure() ? 443 : 80;
  }

  /**
   * Checks a bootstrap server URL.
   *
   * @param url the URL as a person typed it
   * @return the URL, with path {@code /} when it had none
   * @throws IllegalArgumentException saying what is wrong and how it should look
   */
  public static URI parseServerUrl(String url) {
    String example = " (expected ws://host:port or wss://host)";
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("bad bootstrap URL: it is empty" + example);
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "bad bootstrap URL '" + url + "': " + e.getReason() + example, e);
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null || uri.getHost() == null && !"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException(
          "bad bootstrap URL '" + url + "': it has no ws:// or wss:// scheme" + example);
    }
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException(
          "bad bootstrap URL '"
              + url
              + "': the scheme must be ws:// or wss://, not "
              + scheme
              + "://"
              + example);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("bad bootstrap URL '" + url + "': no host" + example);
    }
    if (uri.getPort() > 65_535) {
      throw new IllegalArgumentException(
          "bad bootstrap URL '" + url + "': port " + uri.getPort() + " is out of range");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    try {
      return new URI(scheme, uri.getRawUserInfo(), uri.getHost(), uri.getPort(), path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad bootstrap URL '" + url + "': " + e.getReason(), e);
    }
  }

  /** Builds {@link BootstrapClientOptions}. */
  public static final class Builder {
    private final URI server;
    private final List<URI> fallbacks = new java.util.ArrayList<>();
    private final String nickname;
    private final int tcpPort;
    private List<String> addresses = List.of();
    private SslContext sslContext;
    private Duration minBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private boolean retryWhenNicknameTaken;
    private Duration pingInterval = Duration.ofSeconds(15);
    private Duration deadAfter = Duration.ofSeconds(45);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Identity identity;
    private List<String> caps = List.of();

    private Builder(URI server, String nickname, int tcpPort) {
      this.server = server;
      this.nickname = nickname;
      this.tcpPort = tcpPort;
    }

    /**
     * Registers extra {@code ip:port} addresses (default none).
     *
     * @param addresses the addresses
     * @return this builder
     */
    public Builder addresses(List<String> addresses) {
      this.addresses = addresses;
      return this;
    }

    /**
     * Uses this TLS context for {@code wss://} (default: the JDK's trusted CAs).
     *
     * @param sslContext a client context
     * @return this builder
     */
    public Builder sslContext(SslContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * Trusts exactly this PEM certificate (or chain) for {@code wss://}, e.g. a self-signed
     * server's; replaces the JDK's trusted CAs.
     *
     * @param pemFile the certificate file
     * @return this builder
     * @throws SSLException if the file cannot be read as PEM certificates
     */
    public Builder trustCertificate(File pemFile) throws SSLException {
      this.sslContext = SslContextBuilder.forClient().trustManager(pemFile).build();
      return this;
    }

    /**
     * Sets the reconnect delays (default 0.5 s doubling to 30 s, with jitter).
     *
     * @param min the first delay
     * @param max the longest delay
     * @return this builder
     */
    public Builder backoff(Duration min, Duration max) {
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Keeps retrying when the nickname is taken at first registration (default: give up).
     *
     * @param retry whether to retry
     * @return this builder
     */
    public Builder retryWhenNicknameTaken(boolean retry) {
      this.retryWhenNicknameTaken = retry;
      return this;
    }

    /**
     * Sets the heartbeat (default: ping after 15 s of quiet, drop after 45 s of silence).
     *
     * @param pingInterval quiet time before a ping
     * @param deadAfter silence before the connection is dropped and retried
     * @return this builder
     */
    public Builder heartbeat(Duration pingInterval, Duration deadAfter) {
      this.pingInterval = pingInterval;
      this.deadAfter = deadAfter;
      return this;
    }

    /**
     * Sets the connect and handshake timeout (default 10 s).
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Sets the lookup timeout (default 10 s).
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Registers with this identity (default none: a plain registration). The client signs each
     * connection's challenge with it, which binds the nickname to the key while it is online.
     *
     * @param identity the identity, or null to register plain
     * @return this builder
     */
    public Builder identity(Identity identity) {
      this.identity = identity;
      return this;
    }

    /**
     * Advertises these extensions with the identity (default none).
     *
     * @param caps capability names, e.g. {@code tls} and {@code ack}
     * @return this builder
     */
    public Builder caps(List<String> caps) {
      this.caps = caps;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public BootstrapClientOptions build() {
      return new BootstrapClientOptions(
          server,
          nickname,
          tcpPort,
          addresses,
          sslContext,
          minBackoff,
          maxBackoff,
          retryWhenNicknameTaken,
          pingInterval,
          deadAfter,
          connectTimeout,
          requestTimeout,
          identity,
          caps,
          fallbacks);
    }
  }
}
