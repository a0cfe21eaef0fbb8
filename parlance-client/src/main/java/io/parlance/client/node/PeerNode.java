package io.parlance.client.node;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.client.discovery.DiscoveryConfig;
import io.parlance.client.discovery.DiscoveryServer;
import io.parlance.client.discovery.NetworkInterfaces;
import io.parlance.client.internet.BootstrapClient;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.internet.BootstrapListener;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.DeliveryException;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Parlance peer: discovers others on the LAN, listens for their messages and sends ours.
 *
 * <p>The small API — {@link #start()}, {@link #stop()}, {@link #peers()}, {@link #send}, {@link
 * #broadcast}, {@link #changeNickname} and the {@link NodeEvent events} — is all the command line,
 * the JSON mode and the tests use. The node prints nothing; it tells its {@link NodeListener
 * listeners}.
 */
public final class PeerNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerNode.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private enum State {
    NEW,
    RUNNING,
    STOPPED
  }

  private final NodeOptions options;
  private final PeerDirectory directory;
  private final EventDispatcher events;
  private final Object lifecycle = new Object();

  private volatile State state = State.NEW;
  private volatile String nickname;
  private EventLoopGroup group;
  private MessageServer server;
  private ConnectionPool pool;
  private DiscoveryServer discovery;
  private volatile BootstrapClient bootstrap;
  private NetworkInterface networkInterface;
  private volatile int tcpPort;

  /**
   * Creates a node with its own, empty peer directory.
   *
   * @param options how to run
   */
  public PeerNode(NodeOptions options) {
    this(options, new PeerDirectory());
  }

  /**
   * Creates a node around a given peer directory, which other discovery sources may also feed.
   *
   * @param options how to run
   * @param directory the peer directory
   */
  public PeerNode(NodeOptions options, PeerDirectory directory) {
    this.options = Objects.requireNonNull(options, "options");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.nickname = options.nickname();
    this.events = new EventDispatcher(options.eventQueueCapacity());
    directory.listener(
        new PeerDirectory.Listener() {
          @Override
          public void joined(Peer peer) {
            events.publish(new NodeEvent.PeerJoined(peer));
          }

          @Override
          public void renamed(Peer before, Peer after) {
            events.publish(new NodeEvent.PeerRenamed(before, after));
          }

          @Override
          public void left(Peer peer, PeerDirectory.LeaveReason reason) {
            events.publish(new NodeEvent.PeerLeft(peer, reason));
          }
        });
  }

  /**
   * Adds a listener; add them before {@link #start()} to hear every event.
   *
   * @param listener the listener
   */
  public void addListener(NodeListener listener) {
    events.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public void removeListener(NodeListener listener) {
    events.remove(listener);
  }

  /**
   * Binds the TCP listener and the discovery sockets and announces us; returns once all are bound.
   * Must not be called on an event loop.
   *
   * @return the TCP port we listen on
   * @throws IllegalStateException if already started, or if a socket cannot be bound (saying why)
   * @throws IllegalArgumentException if the interface does not exist or is unusable
   * @throws InterruptedException if interrupted while binding
   */
  public int start() throws InterruptedException {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("the node was already started");
      }
      InetAddress groupAddress;
      try {
        groupAddress = ipLiteral(options.multicastGroup());
        if (options.lanDiscovery()) {
          networkInterface = NetworkInterfaces.resolve(options.interfaceName(), groupAddress);
        }
      } catch (RuntimeException e) {
        state = State.STOPPED;
        throw e;
      }
      group = new NioEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("parlance-io"));
      try {
        server =
            new MessageServer(
                new InetSocketAddress(ipLiteral(options.bindHost()), options.tcpPort()),
                this::received,
                options.maxInboundConnections(),
                Protocol.MAX_LINE_BYTES,
                options.maxLinesPerSecond(),
                options.inboundIdleTimeout());
        try {
          tcpPort = server.start(group).getPort();
        } catch (Exception e) {
          throw new IllegalStateException(
              "cannot listen on TCP port " + options.tcpPort() + ": " + e.getMessage(), e);
        }
        pool =
            new ConnectionPool(
                group,
                options.connectTimeout(),
                options.writeTimeout(),
                options.outboundIdleTimeout());
        if (options.lanDiscovery()) {
          discovery =
              new DiscoveryServer(
                  new DiscoveryConfig(
                      networkInterface,
                      groupAddress,
                      options.multicastPort(),
                      options.announceInterval(),
                      options.peerTimeout(),
                      options.replyMinGap()),
                  group,
                  directory,
                  () -> nickname,
                  tcpPort);
          try {
            discovery.start();
          } catch (InterruptedException | IllegalStateException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(
                "cannot open the discovery socket on port "
                    + options.multicastPort()
                    + ": "
                    + e.getMessage(),
                e);
          }
        }
        if (options.bootstrapServer() != null) {
          bootstrap = startBootstrap(nickname);
        }
      } catch (InterruptedException | RuntimeException e) {
        shutdownQuietly();
        state = State.STOPPED;
        throw e;
      }
      state = State.RUNNING;
      LOG.info("Node {} listening on TCP port {}", nickname, tcpPort);
      events.publish(
          new NodeEvent.Ready(
              nickname, tcpPort, networkInterface == null ? null : networkInterface.getName()));
      return tcpPort;
    }
  }

  /**
   * Says goodbye, closes every socket and stops the event loops; does nothing the second time. Must
   * not be called on an event loop.
   */
  public void stop() {
    synchronized (lifecycle) {
      if (state == State.STOPPED) {
        return;
      }
      boolean wasRunning = state == State.RUNNING;
      state = State.STOPPED;
      try {
        if (wasRunning && discovery != null) {
          discovery.sayGoodbye(CLOSE_WAIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        shutdownQuietly();
        LOG.info("Node {} stopped", nickname);
        events.publish(new NodeEvent.Stopped());
        try {
          events.close(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private void shutdownQuietly() {
    try {
      BootstrapClient internet = bootstrap;
      if (internet != null) {
        internet.close();
      }
      if (discovery != null) {
        discovery.close(CLOSE_WAIT);
      }
      if (pool != null) {
        pool.close(CLOSE_WAIT);
      }
      if (server != null) {
        server.close(CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (group != null) {
        group
            .shutdownGracefully(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(CLOSE_WAIT.toMillis() * 2);
      }
    }
  }

  /** Registers with the bootstrap server and feeds the peers it reports into the directory. */
  private BootstrapClient startBootstrap(String name) {
    BootstrapClientOptions internetOptions =
        BootstrapClientOptions.builder(options.bootstrapServer(), name, tcpPort).build();
    try {
      return BootstrapClient.start(
          internetOptions,
          new BootstrapListener() {
            @Override
            public void onRegistered(InetSocketAddress address) {
              events.publish(
                  new NodeEvent.ServerStatus(
                      "registered",
                      "registered with "
                          + options.bootstrapServer()
                          + " as "
                          + name
                          + "; it sees us at "
                          + address.getAddress().getHostAddress()
                          + ":"
                          + address.getPort()));
            }

            @Override
            public void onPeerJoined(String peerName, InetSocketAddress address) {
              if (!peerName.equals(nickname) || address.getPort() != tcpPort) {
                directory.upsert(peerName, address, Peer.INTERNET);
              }
            }

            @Override
            public void onPeerLeft(String peerName, InetSocketAddress address) {
              directory
                  .get(address)
                  .filter(p -> Peer.INTERNET.equals(p.source()))
                  .ifPresent(p -> directory.remove(address, PeerDirectory.LeaveReason.GOODBYE));
            }

            @Override
            public void onDisconnected(String reason) {
              events.publish(
                  new NodeEvent.ServerStatus(
                      "disconnected",
                      "lost the bootstrap server ("
                          + reason
                          + "); known peers stay usable, retrying in the background"));
            }

            @Override
            public void onError(String code, String message) {
              events.publish(new NodeEvent.ServerStatus("refused", message));
            }
          });
    } catch (SSLException e) {
      throw new IllegalStateException(
          "cannot set up TLS for " + options.bootstrapServer() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Tells whether the node is running.
   *
   * @return true between a successful start and stop
   */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /**
   * Returns our nickname.
   *
   * @return the nickname
   */
  public String nickname() {
    return nickname;
  }

  /**
   * Returns the TCP port we listen on.
   *
   * @return the port, 0 before start
   */
  public int tcpPort() {
    return tcpPort;
  }

  /**
   * Returns the discovery interface.
   *
   * @return the interface, null before start
   */
  public NetworkInterface networkInterface() {
    return networkInterface;
  }

  /**
   * Returns the known peers, ordered by nickname and address.
   *
   * @return a snapshot
   */
  public List<Peer> peers() {
    return directory.peers();
  }

  /**
   * Returns the peer directory, which other discovery sources may feed.
   *
   * @return the directory
   */
  public PeerDirectory directory() {
    return directory;
  }

  /**
   * Changes our nickname and announces it at once.
   *
   * @param newNickname the new nickname
   * @throws ProtocolException if it breaks the nickname rules, saying how
   */
  public void changeNickname(String newNickname) {
    Nickname.requireValid(newNickname);
    String before = nickname;
    nickname = newNickname;
    if (discovery != null) {
      discovery.announceNow();
    }
    BootstrapClient internet = bootstrap;
    if (internet != null && state == State.RUNNING) {
      // The server binds a registration to its nickname: register anew under the new one.
      internet.close();
      bootstrap = startBootstrap(newNickname);
    }
    LOG.info("Nickname changed from {} to {}", before, newNickname);
    events.publish(new NodeEvent.NicknameChanged(before, newNickname));
  }

  /**
   * Finds the one peer a user means: a nickname, {@code nickname@ip:port} or {@code ip:port}.
   *
   * @param target the name
   * @return the peer
   * @throws SendException if no peer or several peers match, listing how to name each
   */
  public Peer resolve(String target) throws SendException {
    Objects.requireNonNull(target, "target");
    List<Peer> named = directory.byNickname(target);
    if (named.size() == 1) {
      return named.get(0);
    }
    if (named.size() > 1) {
      throw new SendException(
          SendException.Reason.AMBIGUOUS_NICKNAME,
          named.size()
              + " peers are called "
              + target
              + "; name one of them: "
              + named.stream().map(Peer::qualifiedName).collect(Collectors.joining(", ")),
          named,
          null);
    }
    int at = target.lastIndexOf('@');
    String nick = at > 0 ? target.substring(0, at) : null;
    Optional<InetSocketAddress> address = parseAddress(at >= 0 ? target.substring(at + 1) : target);
    if (address.isPresent()) {
      Optional<Peer> peer =
          directory.get(address.get()).filter(p -> nick == null || p.nickname().equals(nick));
      if (peer.isPresent()) {
        return peer.get();
      }
    }
    throw new SendException(
        SendException.Reason.UNKNOWN_PEER, "no peer called " + target + " is online");
  }

  /**
   * Sends a message to the peer a user names (see {@link #resolve}).
   *
   * @param target a nickname, {@code nickname@ip:port} or {@code ip:port}
   * @param text the message
   * @return completes with the peer when the message is written; fails with a {@link
   *     SendException}. Also published as a {@link NodeEvent.MessageSent} or {@link
   *     NodeEvent.SendFailed} event.
   */
  public CompletableFuture<Peer> send(String target, String text) {
    Peer peer;
    try {
      requireRunning();
      peer = resolve(target);
    } catch (SendException e) {
      events.publish(new NodeEvent.SendFailed(target, e));
      return CompletableFuture.failedFuture(e);
    }
    return send(peer, target, text);
  }

  /**
   * Sends a message to a known peer.
   *
   * @param peer the peer
   * @param text the message
   * @return completes with the peer when the message is written; fails with a {@link SendException}
   */
  public CompletableFuture<Peer> send(Peer peer, String text) {
    return send(peer, peer.nickname(), text);
  }

  private CompletableFuture<Peer> send(Peer peer, String target, String text) {
    ChatLine line;
    try {
      requireRunning();
      line = chatLine(text);
    } catch (SendException e) {
      events.publish(new NodeEvent.SendFailed(target, e));
      return CompletableFuture.failedFuture(e);
    }
    return pool.send(peer.address(), line)
        .handle(
            (ok, error) -> {
              if (error == null) {
                events.publish(new NodeEvent.MessageSent(peer, text));
                return peer;
              }
              SendException e = toSendException(peer, unwrap(error));
              LOG.info("Cannot send to {}: {}", peer.qualifiedName(), e.getMessage());
              events.publish(new NodeEvent.SendFailed(target, e));
              throw new CompletionException(e);
            });
  }

  /**
   * Sends a message to every known peer.
   *
   * @param text the message
   * @return completes with the peers it was written to, once every send has finished; fails with a
   *     {@link SendException} if there is no peer. Each send is also published as an event.
   */
  public CompletableFuture<List<Peer>> broadcast(String text) {
    List<Peer> peers = directory.peers();
    if (peers.isEmpty()) {
      SendException e = new SendException(SendException.Reason.NO_PEERS, "no peer is online");
      events.publish(new NodeEvent.SendFailed("everyone", e));
      return CompletableFuture.failedFuture(e);
    }
    List<CompletableFuture<Peer>> sends = new ArrayList<>();
    for (Peer peer : peers) {
      sends.add(send(peer, peer.qualifiedName(), text));
    }
    return CompletableFuture.allOf(
            sends.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> sends.stream().map(f -> f.getNow(null)).filter(Objects::nonNull).toList());
  }

  /**
   * Returns how many inbound connections the listener has accepted since the start.
   *
   * @return the count
   */
  public long inboundConnectionsAccepted() {
    return server == null ? 0 : server.acceptedConnections();
  }

  /**
   * Returns how many outgoing connections the node has opened since the start.
   *
   * @return the count
   */
  public long outboundConnectionsOpened() {
    return pool == null ? 0 : pool.connectionsOpened();
  }

  /**
   * Returns how many outgoing connections are pooled now, for tests.
   *
   * @return the count
   */
  int pooledConnections() {
    return pool == null ? 0 : pool.size();
  }

  private void received(ChatLine line, Channel channel) {
    SocketAddress from = channel.remoteAddress();
    String address =
        from instanceof InetSocketAddress remote
            ? senderAddress(line.from(), remote)
            : String.valueOf(from);
    events.publish(
        new NodeEvent.MessageReceived(line.from(), line.content(), line.timestamp(), address));
  }

  /**
   * Returns the address of the one listed peer with the sender's nickname on the connection's IP,
   * or, if there is no such peer or several, the connection's own address. Runs for every message.
   */
  private String senderAddress(String nick, InetSocketAddress remote) {
    Peer match = null;
    for (Peer p : directory.byNickname(nick)) {
      if (p.address().getAddress().equals(remote.getAddress())) {
        if (match != null) {
          return Peer.format(remote);
        }
        match = p;
      }
    }
    return match != null ? match.addressText() : Peer.format(remote);
  }

  private void requireRunning() throws SendException {
    if (state != State.RUNNING) {
      throw new SendException(SendException.Reason.NOT_RUNNING, "the node is not running");
    }
  }

  private ChatLine chatLine(String text) throws SendException {
    Objects.requireNonNull(text, "text");
    ChatLine line;
    try {
      line = ChatLine.now(nickname, text);
    } catch (ProtocolException e) {
      throw new SendException(
          SendException.Reason.INVALID_MESSAGE, "the message " + e.getMessage(), List.of(), e);
    }
    if (mostBytesOnTheWire(line) > Protocol.MAX_LINE_BYTES) {
      // Only a long text can be too long: encode it to know.
      int size = WireJson.toBytes(line).length;
      if (size > Protocol.MAX_LINE_BYTES) {
        throw new SendException(
            SendException.Reason.INVALID_MESSAGE,
            "the message is too long: "
                + size
                + " bytes on the wire; the limit is "
                + Protocol.MAX_LINE_BYTES);
      }
    }
    return line;
  }

  /**
   * Returns the most bytes a chat line can take as JSON: at most 6 bytes per UTF-16 unit (a control
   * character is escaped as six characters, any other unit is at most 3 bytes of UTF-8), plus the
   * field names, the punctuation and a timestamp of at most 20 digits.
   */
  private static long mostBytesOnTheWire(ChatLine line) {
    long units = line.from().length() + line.content().length();
    long fixed = 64; // {"from":"","content":"","timestamp":} and 20 digits
    if (line.id() != null) {
      units += line.id().length();
      fixed += 8; // ,"id":""
    }
    return 6 * units + fixed;
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private static SendException toSendException(Peer peer, Throwable error) {
    if (error instanceof SendException s) {
      return s;
    }
    if (error instanceof DeliveryException d) {
      SendException.Reason reason =
          switch (d.reason()) {
            case REFUSED -> SendException.Reason.REFUSED;
            case TIMED_OUT -> SendException.Reason.TIMED_OUT;
            case UNREACHABLE -> SendException.Reason.UNREACHABLE;
            case CONNECTION_LOST -> SendException.Reason.CONNECTION_LOST;
            case CLOSED -> SendException.Reason.NOT_RUNNING;
            case FAILED -> SendException.Reason.FAILED;
          };
      return new SendException(
          reason, "cannot send to " + peer.nickname() + ": " + d.getMessage(), List.of(), d);
    }
    return new SendException(
        SendException.Reason.FAILED,
        "cannot send to " + peer.nickname() + ": " + error,
        List.of(),
        error);
  }

  /**
   * Parses {@code ip:port} or {@code [ipv6]:port}, with no name lookup.
   *
   * @param text the text
   * @return the address, or empty if it is not one
   */
  static Optional<InetSocketAddress> parseAddress(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return Optional.empty();
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 1 || port > Protocol.MAX_PORT) {
        return Optional.empty();
      }
      return Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port));
    } catch (NumberFormatException | UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static InetAddress ipLiteral(String host) {
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      throw new IllegalArgumentException("'" + host + "' is not an IP address");
    }
    try {
      return InetAddress.getByAddress(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + host + "' is not an IP address", e);
    }
  }
}
