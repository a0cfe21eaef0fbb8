package io.parlance.client.node;

import io.parlance.client.messaging.InboundLimits;
import io.parlance.client.messaging.InboundMessageHandler;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link PeerNode} runs: immutable, made with {@link #builder(String)}.
 *
 * <p>The defaults are the plain protocol's: group {@value Protocol#MULTICAST_GROUP}, port {@value
 * Protocol#MULTICAST_PORT}, announce every 5 s, drop after 15 s.
 */
public final class NodeOptions {

  private final String nickname;
  private final String interfaceName;
  private final int tcpPort;
  private final String bindHost;
  private final String multicastGroup;
  private final int multicastPort;
  private final Duration announceInterval;
  private final Duration peerTimeout;
  private final Duration replyMinGap;
  private final Duration connectTimeout;
  private final Duration writeTimeout;
  private final Duration outboundIdleTimeout;
  private final Duration inboundIdleTimeout;
  private final int maxInboundConnections;
  private final int maxLinesPerSecond;
  private final int maxInboundConnectionsPerAddress;
  private final int reservedInboundConnections;
  private final Duration firstLineTimeout;
  private final InboundLimits inboundLimits;
  private final int eventQueueCapacity;
  private final int ioThreads;
  private final boolean lanDiscovery;
  private final String bootstrapServer;
  private final boolean relay;
  private final boolean holePunching;
  private final int advertisedTcpPort;
  private final Duration relayRetryDirect;
  private final Path dataDir;
  private final boolean requireEncryption;
  private final boolean mailbox;
  private final int deliveryWindow;
  private final Duration ackTimeout;
  private final Duration maxRetryDelay;
  private final List<String> capabilities;
  private final int maxPeers;
  private final int maxPeersPerIp;

  /** Every capability a node can offer, in the order it announces them. */
  public static final List<String> ALL_CAPABILITIES = List.of("tls", "ack");

  private NodeOptions(Builder b) {
    this.nickname = Nickname.requireValid(b.nickname);
    this.interfaceName = b.interfaceName;
    this.tcpPort = b.tcpPort;
    this.bindHost = Objects.requireNonNull(b.bindHost, "bindHost");
    this.multicastGroup = Objects.requireNonNull(b.multicastGroup, "multicastGroup");
    this.multicastPort = b.multicastPort;
    this.announceInterval = positive("announceInterval", b.announceInterval);
    this.peerTimeout = positive("peerTimeout", b.peerTimeout);
    this.replyMinGap = Objects.requireNonNull(b.replyMinGap, "replyMinGap");
    this.connectTimeout = positive("connectTimeout", b.connectTimeout);
    this.writeTimeout = positive("writeTimeout", b.writeTimeout);
    this.outboundIdleTimeout = positive("outboundIdleTimeout", b.outboundIdleTimeout);
    this.inboundIdleTimeout = positive("inboundIdleTimeout", b.inboundIdleTimeout);
    this.maxInboundConnections = atLeastOne("maxInboundConnections", b.maxInboundConnections);
    this.maxLinesPerSecond = atLeastOne("maxLinesPerSecond", b.maxLinesPerSecond);
    this.maxInboundConnectionsPerAddress =
        atLeastOne("maxInboundConnectionsPerAddress", b.maxInboundConnectionsPerAddress);
    // The default reserve shrinks for a small listener.
    this.reservedInboundConnections =
        Math.min(b.reservedInboundConnections, maxInboundConnections - 1);
    this.firstLineTimeout = positive("firstLineTimeout", b.firstLineTimeout);
    this.inboundLimits =
        InboundLimits.DEFAULTS
            .withMaxConnections(maxInboundConnections)
            .withAddressLimits(maxInboundConnectionsPerAddress, reservedInboundConnections)
            .withTimeouts(firstLineTimeout, inboundIdleTimeout)
            .withLines(
                Protocol.MAX_LINE_BYTES,
                InboundLimits.DEFAULTS.maxPendingBytesPerAddress(),
                InboundLimits.DEFAULTS.maxPendingBytes(),
                maxLinesPerSecond);
    this.eventQueueCapacity = atLeastOne("eventQueueCapacity", b.eventQueueCapacity);
    this.ioThreads = atLeastOne("ioThreads", b.ioThreads);
    this.lanDiscovery = b.lanDiscovery;
    this.bootstrapServer = b.bootstrapServer;
    this.relay = b.relay;
    this.holePunching = b.holePunching;
    if (b.advertisedTcpPort < 0 || b.advertisedTcpPort > 65535) {
      throw new IllegalArgumentException("advertisedTcpPort must be 0 to 65535");
    }
    this.advertisedTcpPort = b.advertisedTcpPort;
    this.relayRetryDirect = positive("relayRetryDirect", b.relayRetryDirect);
    this.dataDir = b.dataDir;
    this.requireEncryption = b.requireEncryption;
    this.mailbox = b.mailbox;
    this.deliveryWindow = atLeastOne("deliveryWindow", b.deliveryWindow);
    this.ackTimeout = positive("ackTimeout", b.ackTimeout);
    this.maxRetryDelay = positive("maxRetryDelay", b.maxRetryDelay);
    this.capabilities = List.copyOf(Objects.requireNonNull(b.capabilities, "capabilities"));
    this.maxPeers = atLeastOne("maxPeers", b.maxPeers);
    this.maxPeersPerIp = atLeastOne("maxPeersPerIp", b.maxPeersPerIp);
    for (String cap : capabilities) {
      if (!ALL_CAPABILITIES.contains(cap)) {
        throw new IllegalArgumentException(
            "unknown capability '" + cap + "'; known: " + String.join(", ", ALL_CAPABILITIES));
      }
    }
    if (capabilities.stream().distinct().count() != capabilities.size()) {
      throw new IllegalArgumentException("a capability is listed twice: " + capabilities);
    }
    if (!lanDiscovery && bootstrapServer == null) {
      throw new IllegalArgumentException(
          "no discovery: enable LAN discovery or give a bootstrap server, or both");
    }
    if (tcpPort < 0 || tcpPort > Protocol.MAX_PORT) {
      throw new IllegalArgumentException("TCP port " + tcpPort + " is outside 0-65535");
    }
    if (multicastPort < 1 || multicastPort > Protocol.MAX_PORT) {
      throw new IllegalArgumentException("multicast port " + multicastPort + " is outside 1-65535");
    }
    if (peerTimeout.compareTo(announceInterval) <= 0) {
      throw new IllegalArgumentException(
          "the peer timeout ("
              + peerTimeout.toSeconds()
              + " s) must be longer than the announce interval ("
              + announceInterval.toSeconds()
              + " s)");
    }
  }

  private static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  private static int atLeastOne(String name, int n) {
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be at least 1: " + n);
    }
    return n;
  }

  /**
   * Starts a builder.
   *
   * @param nickname the nickname to announce
   * @return the builder
   */
  public static Builder builder(String nickname) {
    return new Builder(nickname);
  }

  /**
   * Returns a builder with these options, to change some.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    return new Builder(nickname)
        .interfaceName(interfaceName)
        .tcpPort(tcpPort)
        .bindHost(bindHost)
        .multicastGroup(multicastGroup)
        .multicastPort(multicastPort)
        .announceInterval(announceInterval)
        .peerTimeout(peerTimeout)
        .replyMinGap(replyMinGap)
        .connectTimeout(connectTimeout)
        .writeTimeout(writeTimeout)
        .outboundIdleTimeout(outboundIdleTimeout)
        .inboundIdleTimeout(inboundIdleTimeout)
        .maxInboundConnections(maxInboundConnections)
        .maxLinesPerSecond(maxLinesPerSecond)
        .maxInboundConnectionsPerAddress(maxInboundConnectionsPerAddress)
        .reservedInboundConnections(reservedInboundConnections)
        .firstLineTimeout(firstLineTimeout)
        .eventQueueCapacity(eventQueueCapacity)
        .ioThreads(ioThreads)
        .lanDiscovery(lanDiscovery)
        .bootstrapServer(bootstrapServer)
        .relay(relay)
        .holePunching(holePunching)
        .advertisedTcpPort(advertisedTcpPort)
        .relayRetryDirect(relayRetryDirect)
        .dataDir(dataDir)
        .requireEncryption(requireEncryption)
        .mailbox(mailbox)
        .deliveryWindow(deliveryWindow)
        .ackTimeout(ackTimeout)
        .maxRetryDelay(maxRetryDelay)
        .capabilities(capabilities)
        .maxPeers(maxPeers, maxPeersPerIp);
  }

  /**
   * The most peers the node lists in all (see {@link io.parlance.client.peer.PeerDirectory}).
   *
   * @return the limit
   */
  public int maxPeers() {
    return maxPeers;
  }

  /**
   * The most peers the node lists at one IP.
   *
   * @return the limit
   */
  public int maxPeersPerIp() {
    return maxPeersPerIp;
  }

  /**
   * The most messages on the wire to one peer that it has not acknowledged yet.
   *
   * @return the window
   */
  public int deliveryWindow() {
    return deliveryWindow;
  }

  /**
   * How long to wait for an acknowledgement before sending the unacknowledged messages again; it
   * doubles after each timeout in a row, up to {@link #maxRetryDelay()}.
   *
   * @return the timeout
   */
  public Duration ackTimeout() {
    return ackTimeout;
  }

  /**
   * The longest wait between two attempts at a peer's messages.
   *
   * @return the delay
   */
  public Duration maxRetryDelay() {
    return maxRetryDelay;
  }

  /**
   * Returns what the node offers its peers in its announces and registration: {@code tls}
   * (connections to it may be encrypted and authenticated) and {@code ack} (it acknowledges
   * messages that carry an id). Both by default.
   *
   * @return the capabilities, in the order announced
   */
  public List<String> capabilities() {
    return capabilities;
  }

  /**
   * Whether plain (unencrypted) peers are refused in both directions.
   *
   * @return true to talk to TLS peers only
   */
  public boolean requireEncryption() {
    return requireEncryption;
  }

  /**
   * Whether the node uses the bootstrap server's mailbox: it publishes a mail key (and registers
   * the {@code mail} capability), fetches mail, and deposits messages for peers that are away.
   *
   * @return true unless turned off ({@code --no-mailbox})
   */
  public boolean mailbox() {
    return mailbox;
  }

  /**
   * Where the node keeps its state (identity key, known peers, message store): the profile's
   * directory.
   *
   * @return the directory, or null for a node that keeps nothing on disk
   */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Whether peers are discovered on the LAN by multicast.
   *
   * @return true in local and both modes
   */
  public boolean lanDiscovery() {
    return lanDiscovery;
  }

  /**
   * The bootstrap server to register with and learn peers from, for internet mode.
   *
   * @return its URL ({@code ws://} or {@code wss://}), or null for none
   */
  public String bootstrapServer() {
    return bootstrapServer;
  }

  /**
   * Whether peers that cannot connect to each other directly may be relayed through the bootstrap
   * server (end-to-end TLS inside); on by default, off with {@code --no-relay}.
   *
   * @return true to register the relay capability, accept offers and ask for relays
   */
  public boolean relay() {
    return relay;
  }

  /**
   * Whether a relayed conversation also tries a hole punch the server coordinates (and takes part
   * in the punches peers ask for); on by default, off with {@code --no-punch} or {@code
   * --no-relay}.
   *
   * @return true to register the punch capability, take part in punches and ask for them
   */
  public boolean holePunching() {
    return relay && holePunching;
  }

  /**
   * The TCP port registered with the bootstrap server, if not the one we listen on (a port
   * forwarded to us by a router).
   *
   * @return the port, or 0 for the listening port
   */
  public int advertisedTcpPort() {
    return advertisedTcpPort;
  }

  /**
   * How often a relayed conversation tries the direct path again.
   *
   * @return the interval (default 60 s)
   */
  public Duration relayRetryDirect() {
    return relayRetryDirect;
  }

  /**
   * The nickname announced at start.
   *
   * @return the nickname
   */
  public String nickname() {
    return nickname;
  }

  /**
   * The discovery interface's name, or null for the system's usual multicast interface.
   *
   * @return the name or null
   */
  public String interfaceName() {
    return interfaceName;
  }

  /**
   * The TCP port to listen on; 0 picks a free one.
   *
   * @return the port
   */
  public int tcpPort() {
    return tcpPort;
  }

  /**
   * The address the TCP listener binds to.
   *
   * @return the host
   */
  public String bindHost() {
    return bindHost;
  }

  /**
   * The multicast group.
   *
   * @return the group address
   */
  public String multicastGroup() {
    return multicastGroup;
  }

  /**
   * The multicast port.
   *
   * @return the port
   */
  public int multicastPort() {
    return multicastPort;
  }

  /**
   * How often to announce.
   *
   * @return the interval
   */
  public Duration announceInterval() {
    return announceInterval;
  }

  /**
   * How long a silent peer is kept.
   *
   * @return the timeout
   */
  public Duration peerTimeout() {
    return peerTimeout;
  }

  /**
   * The shortest gap between two announces made to answer newcomers.
   *
   * @return the gap
   */
  public Duration replyMinGap() {
    return replyMinGap;
  }

  /**
   * How long a connect may take.
   *
   * @return the timeout
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * How long a write may wait for the peer to read.
   *
   * @return the timeout
   */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  /**
   * How long an unused outgoing connection stays open.
   *
   * @return the timeout
   */
  public Duration outboundIdleTimeout() {
    return outboundIdleTimeout;
  }

  /**
   * How long a silent inbound connection stays open.
   *
   * @return the timeout
   */
  public Duration inboundIdleTimeout() {
    return inboundIdleTimeout;
  }

  /**
   * The most inbound connections open at once.
   *
   * @return the limit
   */
  public int maxInboundConnections() {
    return maxInboundConnections;
  }

  /**
   * The most lines one inbound connection may send per second, on average (a second's worth may
   * come at once): past it, reading the connection pauses until it is back within the rate, so a
   * faster sender is slowed, not cut off. Our senders also write at most this many per second to
   * one peer.
   *
   * @return the limit
   */
  public int maxLinesPerSecond() {
    return maxLinesPerSecond;
  }

  /**
   * The most inbound connections open at once from one IP address.
   *
   * @return the limit
   */
  public int maxInboundConnectionsPerAddress() {
    return maxInboundConnectionsPerAddress;
  }

  /**
   * How many of the inbound connections only peers the node knows may use.
   *
   * @return the reserve
   */
  public int reservedInboundConnections() {
    return reservedInboundConnections;
  }

  /**
   * How long an inbound connection from an unknown address may take to deliver its first line.
   *
   * @return the timeout
   */
  public Duration firstLineTimeout() {
    return firstLineTimeout;
  }

  /**
   * All the listener's limits, as these options set them.
   *
   * @return the limits
   */
  public InboundLimits inboundLimits() {
    return inboundLimits;
  }

  /**
   * The most events waiting for listeners; more are dropped with a warning.
   *
   * @return the capacity
   */
  public int eventQueueCapacity() {
    return eventQueueCapacity;
  }

  /**
   * The number of Netty event loop threads.
   *
   * @return the count
   */
  public int ioThreads() {
    return ioThreads;
  }

  /** Builds {@link NodeOptions}. */
  public static final class Builder {
    private String nickname;
    private String interfaceName;
    private int tcpPort;
    private String bindHost = "0.0.0.0";
    private String multicastGroup = Protocol.MULTICAST_GROUP;
    private int multicastPort = Protocol.MULTICAST_PORT;
    private Duration announceInterval = Protocol.ANNOUNCE_INTERVAL;
    private Duration peerTimeout = Protocol.PEER_TIMEOUT;
    private Duration replyMinGap = Duration.ofMillis(250);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration writeTimeout = Duration.ofSeconds(10);
    private Duration outboundIdleTimeout = Duration.ofSeconds(60);
    private Duration inboundIdleTimeout = Duration.ofMinutes(5);
    private int maxInboundConnections = 256;
    private int maxLinesPerSecond = InboundLimits.DEFAULTS.maxLinesPerSecond();
    private int maxInboundConnectionsPerAddress = 32;
    private int reservedInboundConnections = 32;
    private Duration firstLineTimeout = Duration.ofSeconds(10);
    private int eventQueueCapacity = 10_000;
    private int ioThreads = 2;
    private boolean lanDiscovery = true;
    private String bootstrapServer;
    private boolean relay = true;
    private boolean holePunching = true;
    private int advertisedTcpPort;
    private Duration relayRetryDirect = Duration.ofSeconds(60);
    private Path dataDir;
    private boolean requireEncryption;
    private boolean mailbox = true;
    private int deliveryWindow =
        InboundMessageHandler.HIGH_WATER; // a full window never pauses reading
    private Duration ackTimeout = Duration.ofSeconds(5);
    private Duration maxRetryDelay = Duration.ofSeconds(60);
    private List<String> capabilities = ALL_CAPABILITIES;
    private int maxPeers = io.parlance.client.peer.PeerDirectory.DEFAULT_MAX_PEERS;
    private int maxPeersPerIp = io.parlance.client.peer.PeerDirectory.DEFAULT_MAX_PEERS_PER_IP;

    private Builder(String nickname) {
      this.nickname = nickname;
    }

    /**
     * Sets the nickname.
     *
     * @param nickname the nickname
     * @return this builder
     */
    public Builder nickname(String nickname) {
      this.nickname = nickname;
      return this;
    }

    /**
     * Sets the discovery interface by name; null means the system's usual one.
     *
     * @param name e.g. {@code lo}
     * @return this builder
     */
    public Builder interfaceName(String name) {
      this.interfaceName = name;
      return this;
    }

    /**
     * Sets the TCP port; 0 picks a free one.
     *
     * @param port the port
     * @return this builder
     */
    public Builder tcpPort(int port) {
      this.tcpPort = port;
      return this;
    }

    /**
     * Sets the address the TCP listener binds to.
     *
     * @param host an IP literal
     * @return this builder
     */
    public Builder bindHost(String host) {
      this.bindHost = host;
      return this;
    }

    /**
     * Sets the multicast group.
     *
     * @param group an IPv4 multicast address
     * @return this builder
     */
    public Builder multicastGroup(String group) {
      this.multicastGroup = group;
      return this;
    }

    /**
     * Sets the multicast port (tests use their own to stay apart).
     *
     * @param port the port
     * @return this builder
     */
    public Builder multicastPort(int port) {
      this.multicastPort = port;
      return this;
    }

    /**
     * Sets how often to announce.
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder announceInterval(Duration interval) {
      this.announceInterval = interval;
      return this;
    }

    /**
     * Sets how long a silent peer is kept.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder peerTimeout(Duration timeout) {
      this.peerTimeout = timeout;
      return this;
    }

    /**
     * Sets the shortest gap between two announces made to answer newcomers.
     *
     * @param gap the gap
     * @return this builder
     */
    public Builder replyMinGap(Duration gap) {
      this.replyMinGap = gap;
      return this;
    }

    /**
     * Sets how long a connect may take.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Sets how long a write may wait for the peer to read.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = timeout;
      return this;
    }

    /**
     * Sets how long an unused outgoing connection stays open.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder outboundIdleTimeout(Duration timeout) {
      this.outboundIdleTimeout = timeout;
      return this;
    }

    /**
     * Sets how long a silent inbound connection stays open.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder inboundIdleTimeout(Duration timeout) {
      this.inboundIdleTimeout = timeout;
      return this;
    }

    /**
     * Sets the most inbound connections open at once.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxInboundConnections(int max) {
      this.maxInboundConnections = max;
      return this;
    }

    /**
     * Sets the most lines per second one inbound connection may send before reading it pauses
     * (50,000 by default), and our senders write to one peer.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxLinesPerSecond(int max) {
      this.maxLinesPerSecond = max;
      return this;
    }

    /**
     * Sets the most inbound connections open at once from one IP address.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxInboundConnectionsPerAddress(int max) {
      this.maxInboundConnectionsPerAddress = max;
      return this;
    }

    /**
     * Sets how many inbound connections only peers the node knows may use; at most {@link
     * #maxInboundConnections(int)} less one.
     *
     * @param reserve the reserve
     * @return this builder
     */
    public Builder reservedInboundConnections(int reserve) {
      this.reservedInboundConnections = reserve;
      return this;
    }

    /**
     * Sets how long an inbound connection from an unknown address may take to deliver its first
     * line, a TLS handshake included.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder firstLineTimeout(Duration timeout) {
      this.firstLineTimeout = timeout;
      return this;
    }

    /**
     * Sets the most events waiting for listeners.
     *
     * @param capacity the capacity
     * @return this builder
     */
    public Builder eventQueueCapacity(int capacity) {
      this.eventQueueCapacity = capacity;
      return this;
    }

    /**
     * Sets the number of event loop threads.
     *
     * @param threads the count
     * @return this builder
     */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /**
     * Turns LAN discovery by multicast on or off.
     *
     * @param enabled true to discover peers on the LAN
     * @return this builder
     */
    public Builder lanDiscovery(boolean enabled) {
      this.lanDiscovery = enabled;
      return this;
    }

    /**
     * Sets the bootstrap server for internet mode.
     *
     * @param url its {@code ws://} or {@code wss://} URL, or null for none
     * @return this builder
     */
    public Builder bootstrapServer(String url) {
      this.bootstrapServer = url;
      return this;
    }

    /**
     * Sets whether the node may be relayed through the bootstrap server.
     *
     * @param enabled false for {@code --no-relay}
     * @return this builder
     */
    public Builder relay(boolean enabled) {
      this.relay = enabled;
      return this;
    }

    /**
     * Sets the TCP port registered with the bootstrap server.
     *
     * @param port the port, or 0 for the listening port
     * @return this builder
     */
    public Builder advertisedTcpPort(int port) {
      this.advertisedTcpPort = port;
      return this;
    }

    /**
     * Sets whether relayed conversations also try hole punches (on by default).
     *
     * @param enabled false for {@code --no-punch}
     * @return this builder
     */
    public Builder holePunching(boolean enabled) {
      this.holePunching = enabled;
      return this;
    }

    /**
     * Sets how often a relayed conversation tries the direct path again.
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder relayRetryDirect(Duration interval) {
      this.relayRetryDirect = interval;
      return this;
    }

    /**
     * Sets where the node keeps its state: the profile's directory, which must exist.
     *
     * @param dir the directory, or null to keep nothing on disk
     * @return this builder
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /**
     * Sets whether the node uses the bootstrap server's mailbox (default: yes).
     *
     * @param use false for {@code --no-mailbox}
     * @return this builder
     */
    public Builder mailbox(boolean use) {
      this.mailbox = use;
      return this;
    }

    /**
     * Sets whether plain peers are refused in both directions.
     *
     * @param required true to talk to TLS peers only
     * @return this builder
     */
    public Builder requireEncryption(boolean required) {
      this.requireEncryption = required;
      return this;
    }

    /**
     * Sets how many messages to one peer may be on the wire unacknowledged (default {@value
     * InboundMessageHandler#HIGH_WATER}, the lines a receiver takes before it pauses reading).
     *
     * @param window the window
     * @return this builder
     */
    public Builder deliveryWindow(int window) {
      this.deliveryWindow = window;
      return this;
    }

    /**
     * Sets how long to wait for an acknowledgement before sending again (default 5 s).
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder ackTimeout(Duration timeout) {
      this.ackTimeout = timeout;
      return this;
    }

    /**
     * Sets the longest wait between two attempts at a peer's messages (default 60 s).
     *
     * @param delay the delay
     * @return this builder
     */
    public Builder maxRetryDelay(Duration delay) {
      this.maxRetryDelay = delay;
      return this;
    }

    /**
     * Sets what the node offers its peers (default: all of {@link #ALL_CAPABILITIES}). Leaving one
     * out makes others treat the node as a peer without it: no {@code tls}, and they connect to it
     * in plain text (it still accepts TLS); no {@code ack}, and they send it plain lines without
     * ids, as to the Rust Parlance, each final once written. For tests and benchmarks.
     *
     * @param caps a subset of {@link #ALL_CAPABILITIES}
     * @return this builder
     */
    public Builder capabilities(List<String> caps) {
      this.capabilities = caps;
      return this;
    }

    /**
     * Sets the bounds of the peer list (default {@value
     * io.parlance.client.peer.PeerDirectory#DEFAULT_MAX_PEERS} in all, {@value
     * io.parlance.client.peer.PeerDirectory#DEFAULT_MAX_PEERS_PER_IP} per IP); past them a newcomer
     * takes the place of the least useful peer, or is not listed.
     *
     * @param inAll the most peers listed in all
     * @param perIp the most peers listed at one IP
     * @return this builder
     */
    public Builder maxPeers(int inAll, int perIp) {
      this.maxPeers = inAll;
      this.maxPeersPerIp = perIp;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if a value is invalid, saying which
     * @throws io.parlance.protocol.ProtocolException if the nickname is invalid
     */
    public NodeOptions build() {
      return new NodeOptions(this);
    }
  }
}
