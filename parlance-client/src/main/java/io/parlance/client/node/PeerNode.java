package io.parlance.client.node;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.client.delivery.DeliveryListener;
import io.parlance.client.delivery.Outbox;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.delivery.PeerConnections;
import io.parlance.client.delivery.Receiver;
import io.parlance.client.discovery.DiscoveryConfig;
import io.parlance.client.discovery.DiscoveryServer;
import io.parlance.client.discovery.NetworkInterfaces;
import io.parlance.client.internet.BootstrapClient;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.internet.BootstrapListener;
import io.parlance.client.internet.RemotePeer;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.InboundRefusals;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.client.security.TlsContexts;
import io.parlance.client.security.TrustStore;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoreException;
import io.parlance.client.store.StoredMessage;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Parlance peer: discovers others on the LAN, listens for their messages and sends ours.
 *
 * <p>The small API — {@link #start()}, {@link #stop()}, {@link #peers()}, {@link #send}, {@link
 * #broadcast}, {@link #history}, {@link #search}, {@link #changeNickname} and the {@link NodeEvent
 * events} — is all the command line, the JSON mode and the tests use. The node prints nothing; it
 * tells its {@link NodeListener listeners}.
 *
 * <p>Nothing a user sends is lost: each message goes to the on-disk outbox of the profile's message
 * store first ({@link NodeOptions#dataDir()}; a node without one keeps its store in memory), and
 * leaves it when the peer acknowledged it, or, for a plain peer that cannot, once it is written.
 * Received messages are stored before they are acknowledged and shown.
 */
public final class PeerNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerNode.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
  private static final long PROBLEM_GAP_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** The most messages {@link #history} and {@link #search} return. */
  public static final int MAX_HISTORY = 100_000;

  /**
   * An id and a nickname as long as a line can carry: a message is checked against the line limit
   * with them before it is queued, so it fits whatever our nickname is when it goes out.
   */
  private static final String WORST_ID = "00000000-0000-0000-0000-000000000000";

  private static final String WORST_NICKNAME = "x".repeat(Nickname.MAX_BYTES);

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
  private Identity identity;
  private TrustStore trust;
  private AsyncMessageStore store;
  private volatile Outbox outbox;
  private Receiver receiver;
  private final AtomicLong lastProblemNanos = new AtomicLong(System.nanoTime() - PROBLEM_GAP_NANOS);

  /**
   * Creates a node with its own, empty peer directory.
   *
   * @param options how to run
   */
  public PeerNode(NodeOptions options) {
    this(options, new PeerDirectory(options.maxPeers(), options.maxPeersPerIp()));
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
            checkTrust(peer);
            Outbox out = outbox;
            if (out != null) {
              out.peerPresent(peer);
            }
          }

          @Override
          public void renamed(Peer before, Peer after) {
            events.publish(new NodeEvent.PeerRenamed(before, after));
            Outbox out = outbox;
            if (out != null) {
              if (!Outbox.keyOf(before).equals(Outbox.keyOf(after))) {
                out.peerAbsent(before); // a plain peer's conversation is its nickname
              }
              out.peerPresent(after);
            }
          }

          @Override
          public void left(Peer peer, PeerDirectory.LeaveReason reason) {
            events.publish(new NodeEvent.PeerLeft(peer, reason));
            Outbox out = outbox;
            if (out != null) {
              out.peerAbsent(peer);
            }
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
      try {
        identity =
            options.dataDir() == null
                ? Identity.generate()
                : Identity.loadOrCreate(options.dataDir());
        trust =
            options.dataDir() == null ? TrustStore.inMemory() : TrustStore.load(options.dataDir());
      } catch (RuntimeException e) {
        state = State.STOPPED;
        throw e;
      }
      try {
        store =
            new AsyncMessageStore(
                options.dataDir() == null
                    ? MessageStore.inMemory()
                    : MessageStore.open(options.dataDir().resolve(MessageStore.FILE)));
      } catch (StoreException e) {
        state = State.STOPPED;
        throw e;
      }
      group = new NioEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("parlance-io"));
      try {
        receiver = new Receiver(store, this::senderKey, this::show, this::problem);
        Outbox delivery =
            new Outbox(
                store,
                new PeerConnections() {
                  @Override
                  public CompletableFuture<Channel> connection(Peer peer) {
                    try {
                      return pool.connection(peer.address(), securityFor(peer));
                    } catch (SendException e) {
                      return CompletableFuture.failedFuture(e);
                    }
                  }

                  @Override
                  public CompletableFuture<Void> write(Peer peer, ChatLine line) {
                    try {
                      return pool.send(peer.address(), securityFor(peer), line);
                    } catch (SendException e) {
                      return CompletableFuture.failedFuture(e);
                    }
                  }
                },
                group,
                new Outbox.Settings(
                    options.deliveryWindow(),
                    Math.max(1024, options.deliveryWindow() * 4),
                    options.ackTimeout(),
                    options.maxRetryDelay(),
                    Math.max(1, options.maxLinesPerSecond() / 2)),
                () -> nickname,
                new DeliveryEvents());
        SslContext clientTls = TlsContexts.client(identity);
        server =
            new MessageServer(
                new InetSocketAddress(ipLiteral(options.bindHost()), options.tcpPort()),
                this::received,
                options.inboundLimits(),
                new PeerTls.Contexts(
                    TlsContexts.server(identity), clientTls, options.requireEncryption()),
                this::knownSender,
                this::refusedLine);
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
                options.outboundIdleTimeout(),
                clientTls,
                delivery);
        outbox = delivery;
        directory.peers().forEach(delivery::peerPresent);
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
                  tcpPort,
                  new SignedDiscovery(identity, options.capabilities()));
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
      Outbox delivery = outbox;
      outbox = null;
      if (delivery != null) {
        delivery.close();
      }
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
      if (store != null) {
        store.close(); // last: finishes the writes queued by the loops above
      }
    }
  }

  /** Registers with the bootstrap server and feeds the peers it reports into the directory. */
  private BootstrapClient startBootstrap(String name) {
    BootstrapClientOptions internetOptions =
        BootstrapClientOptions.builder(options.bootstrapServer(), name, tcpPort)
            .identity(identity)
            .caps(options.capabilities())
            .build();
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
            public void onPeerJoined(RemotePeer peer) {
              String peerName = peer.nickname();
              InetSocketAddress address = peer.address();
              if (!peerName.equals(nickname) || address.getPort() != tcpPort) {
                directory.upsert(
                    new Peer(peerName, address, Peer.INTERNET, peer.id(), peer.caps()));
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
                  new NodeEvent.ServerStatus("disconnected", reason + "; known peers stay usable"));
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
   * Returns our identity.
   *
   * @return the identity, null before start
   */
  public Identity identity() {
    return identity;
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
   * Finds the one peer a user means: a nickname, {@code nickname#ABCD} (the start of its id),
   * {@code nickname@ip:port} or {@code ip:port}.
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
              + named.stream().map(PeerNode::names).collect(Collectors.joining(", ")),
          named,
          null);
    }
    int hash = target.lastIndexOf('#');
    if (hash > 0) {
      // nickname#ABCD: the start of the peer's id tells apart peers that share a nickname.
      String nick = target.substring(0, hash);
      String prefix =
          target.substring(hash + 1).replace("-", "").toUpperCase(java.util.Locale.ROOT);
      List<Peer> matching =
          prefix.isEmpty()
              ? List.of()
              : directory.byNickname(nick).stream()
                  .filter(p -> p.id() != null && p.id().value().replace("-", "").startsWith(prefix))
                  .toList();
      if (matching.size() == 1) {
        return matching.get(0);
      }
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

  /** The ways to name one of several peers that share a nickname. */
  private static String names(Peer peer) {
    return peer.id() == null
        ? peer.qualifiedName()
        : peer.nickname() + "#" + peer.id().shortForm() + " (" + peer.qualifiedName() + ")";
  }

  /**
   * Sends a message to the peer a user names (see {@link #resolve}). The message is stored in the
   * outbox first and leaves it when the peer acknowledged it (a plain peer: once written). A peer
   * that is not online now but was seen before (a conversation with that nickname is in the store)
   * gets it when it is back; a nickname never seen is an error.
   *
   * @param target a nickname, {@code nickname@ip:port} or {@code ip:port}
   * @param text the message
   * @return completes once the first attempt settled: written ({@link DeliveryState#SENT}), or kept
   *     in the outbox ({@link DeliveryState#QUEUED}, with why); fails with a {@link SendException}
   *     if it was not stored. Also published as events: {@link NodeEvent.Delivery} for each state,
   *     {@link NodeEvent.MessageSent} when written, {@link NodeEvent.SendFailed} on failure.
   */
  public CompletableFuture<Outgoing> send(String target, String text) {
    Peer peer;
    try {
      requireRunning();
      chatLine(text);
      peer = resolve(target);
    } catch (SendException e) {
      if (e.reason() == SendException.Reason.UNKNOWN_PEER && isPlainNickname(target)) {
        return sendToKnown(target, text);
      }
      events.publish(new NodeEvent.SendFailed(target, e));
      return CompletableFuture.failedFuture(e);
    }
    return send(peer, target, text);
  }

  /**
   * Sends a message to a known peer (see {@link #send(String, String)}).
   *
   * @param peer the peer
   * @param text the message
   * @return completes once the first attempt settled; fails with a {@link SendException}
   */
  public CompletableFuture<Outgoing> send(Peer peer, String text) {
    return send(peer, peer.nickname(), text);
  }

  private CompletableFuture<Outgoing> send(Peer peer, String target, String text) {
    return submit(Outbox.keyOf(peer), peer.nickname(), peer, target, text);
  }

  /** A nickname not online now: queued if a conversation with it is stored, else an error. */
  private CompletableFuture<Outgoing> sendToKnown(String nick, String text) {
    return store
        .submit(s -> s.keyForNickname(nick))
        .exceptionally(error -> Optional.empty())
        .thenCompose(
            key -> {
              if (key.isEmpty()) {
                SendException e =
                    new SendException(
                        SendException.Reason.UNKNOWN_PEER,
                        "no peer called " + nick + " is online or known from earlier messages");
                events.publish(new NodeEvent.SendFailed(nick, e));
                return CompletableFuture.failedFuture(e);
              }
              return submit(key.get(), nick, null, nick, text);
            });
  }

  private CompletableFuture<Outgoing> submit(
      String key, String nick, Peer peer, String target, String text) {
    Outbox delivery = outbox;
    try {
      requireRunning();
      chatLine(text);
      if (delivery == null) {
        throw new SendException(SendException.Reason.NOT_RUNNING, "the node is not running");
      }
    } catch (SendException e) {
      events.publish(new NodeEvent.SendFailed(target, e));
      return CompletableFuture.failedFuture(e);
    }
    if (peer != null) {
      try {
        securityFor(peer);
      } catch (SendException e) {
        LOG.warn("Not sending to {}: {}", peer.qualifiedName(), e.getMessage());
        events.publish(new NodeEvent.SendFailed(target, e));
        return CompletableFuture.failedFuture(e);
      }
    }
    return delivery
        .submit(key, nick, peer, text, System.currentTimeMillis() / 1000)
        .handle(
            (outgoing, error) -> {
              if (error == null) {
                if (outgoing.state() == DeliveryState.QUEUED) {
                  LOG.info("Queued a message to {}: {}", nick, outgoing.note());
                }
                return outgoing;
              }
              Throwable cause = unwrap(error);
              SendException e =
                  new SendException(
                      SendException.Reason.FAILED,
                      "cannot keep the message to " + nick + ": " + cause.getMessage(),
                      List.of(),
                      cause);
              LOG.warn("Cannot send to {}: {}", nick, e.getMessage());
              events.publish(new NodeEvent.SendFailed(target, e));
              throw new CompletionException(e);
            });
  }

  private static boolean isPlainNickname(String target) {
    return target.indexOf('@') < 0 && parseAddress(target).isEmpty();
  }

  /**
   * Sends a message to every known peer.
   *
   * @param text the message
   * @return completes with the outcome for each peer, once every first attempt settled; fails with
   *     a {@link SendException} if there is no peer. Each send is also published as events.
   */
  public CompletableFuture<List<Outgoing>> broadcast(String text) {
    List<Peer> peers = directory.peers();
    if (peers.isEmpty()) {
      SendException e = new SendException(SendException.Reason.NO_PEERS, "no peer is online");
      events.publish(new NodeEvent.SendFailed("everyone", e));
      return CompletableFuture.failedFuture(e);
    }
    List<CompletableFuture<Outgoing>> sends = new ArrayList<>();
    for (Peer peer : peers) {
      sends.add(send(peer, peer.qualifiedName(), text));
    }
    return CompletableFuture.allOf(
            sends.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> sends.stream().map(f -> f.getNow(null)).filter(Objects::nonNull).toList());
  }

  /**
   * Returns the last messages of a conversation, oldest first, from the message store.
   *
   * @param peer a nickname (every conversation under it), a peer id, or {@code nickname@ip:port} of
   *     a peer online now
   * @param limit how many of the most recent, 1 to {@value #MAX_HISTORY}
   * @return the messages
   */
  public CompletableFuture<List<StoredMessage>> history(String peer, int limit) {
    Objects.requireNonNull(peer, "peer");
    String key = peer;
    if (!isPlainNickname(peer)) {
      try {
        key = Outbox.keyOf(resolve(peer));
      } catch (SendException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    String conversation = key;
    return storeOrFail().thenCompose(s -> s.history(conversation, bound(limit)));
  }

  /**
   * Searches the text of every stored message (full-text: each word must appear).
   *
   * @param text the words
   * @param limit the most to return, 1 to {@value #MAX_HISTORY}
   * @return the matches, most recent first
   */
  public CompletableFuture<List<StoredMessage>> search(String text, int limit) {
    Objects.requireNonNull(text, "text");
    return storeOrFail().thenCompose(s -> s.search(text, bound(limit)));
  }

  private CompletableFuture<AsyncMessageStore> storeOrFail() {
    AsyncMessageStore s = store;
    if (s == null || state != State.RUNNING) {
      return CompletableFuture.failedFuture(
          new SendException(SendException.Reason.NOT_RUNNING, "the node is not running"));
    }
    return CompletableFuture.completedFuture(s);
  }

  private static int bound(int limit) {
    return Math.max(1, Math.min(limit, MAX_HISTORY));
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
    Optional<PeerId> proven = PeerTls.provenPeer(channel);
    if (proven.isPresent()) {
      // Refused before it is stored or acknowledged: a sender whose key changed keeps it in its
      // outbox, and it arrives once the user trusts the new key.
      String refusal = refusal(line.from(), proven.get());
      if (refusal != null) {
        LOG.warn(
            "[{}] Refused a message from {}: {}",
            channel.id().asShortText(),
            channel.remoteAddress(),
            refusal);
        events.publish(
            new NodeEvent.MessageRejected(
                line.from(), String.valueOf(channel.remoteAddress()), refusal));
        return;
      }
    }
    proven.ifPresent(directory::talkedTo);
    Receiver r = receiver;
    if (r != null) {
      r.received(line, channel);
    }
  }

  /**
   * Tells whether a connection comes from a peer in the directory: one that proved an id the
   * directory lists, or one from the IP address of a listed peer. Called on event loops.
   */
  private boolean knownSender(Channel channel) {
    Optional<PeerId> proven = PeerTls.provenPeer(channel);
    InetAddress ip =
        channel.remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
    return directory.peers().stream()
        .anyMatch(
            p ->
                proven.map(id -> id.equals(p.id())).orElse(false)
                    || p.address().getAddress().equals(ip));
  }

  /** Tells the user of a line dropped unread: who sent it, its size and why. */
  private void refusedLine(InboundRefusals.Refusal refusal, Channel channel) {
    String from = refusal.from();
    InetSocketAddress remote =
        refusal.address() instanceof InetSocketAddress a ? a : new InetSocketAddress(0);
    if (from == null) {
      from =
          directory.peers().stream()
              .filter(p -> p.address().getAddress().equals(remote.getAddress()))
              .map(Peer::nickname)
              .findFirst()
              .orElse(null);
    }
    LOG.warn(
        "[{}] Dropped a line of {}{} bytes from {} ({}): {}",
        channel.id().asShortText(),
        refusal.atLeast() ? "at least " : "",
        refusal.bytes(),
        refusal.address(),
        from == null ? "sender unknown" : from,
        refusal.reason());
    events.publish(
        new NodeEvent.LineRefused(from, Peer.format(remote), refusal.bytes(), refusal.reason()));
  }

  /**
   * Returns the conversation key of a line's sender when we know who it is: the id it proved over
   * TLS, else the one peer of that nickname at that IP in the directory; else null.
   */
  private String senderKey(ChatLine line, Channel channel) {
    Optional<PeerId> proven = PeerTls.provenPeer(channel);
    if (proven.isPresent()) {
      return proven.get().value();
    }
    if (channel.remoteAddress() instanceof InetSocketAddress remote) {
      List<Peer> candidates =
          directory.byNickname(line.from()).stream()
              .filter(p -> p.address().getAddress().equals(remote.getAddress()))
              .toList();
      if (candidates.size() == 1) {
        return Outbox.keyOf(candidates.get(0));
      }
    }
    return null;
  }

  /** Publishes a new message, once it is stored. */
  private void show(ChatLine line, Channel channel) {
    SocketAddress from = channel.remoteAddress();
    Optional<PeerId> proven = PeerTls.provenPeer(channel);
    String address =
        from instanceof InetSocketAddress remote
            ? senderAddress(line.from(), remote, proven.orElse(null))
            : String.valueOf(from);
    events.publish(
        new NodeEvent.MessageReceived(
            line.from(), line.content(), line.timestamp(), address, proven.orElse(null)));
  }

  /**
   * Says why a message that came over a connection authenticated as {@code id} must be refused, or
   * null if it may be shown as verified: its {@code from} must be the nickname that id announces,
   * and must not be remembered for another key.
   */
  private String refusal(String from, PeerId id) {
    List<Peer> withId = directory.peers().stream().filter(p -> id.equals(p.id())).toList();
    if (!withId.isEmpty() && withId.stream().noneMatch(p -> p.nickname().equals(from))) {
      return "it claims to be from "
          + from
          + " but the sender proved the key of "
          + withId.get(0).nickname()
          + " ("
          + id
          + ")";
    }
    if (trust.status(from, id) instanceof TrustStore.Changed changed) {
      return changed.warning();
    }
    return null;
  }

  /** Pins a newly seen peer's key on first contact; warns loudly when it changed. */
  private void checkTrust(Peer peer) {
    if (peer.id() == null) {
      return;
    }
    try {
      if (trust.check(peer.nickname(), peer.id()) instanceof TrustStore.Changed changed) {
        LOG.warn(changed.warning());
        events.publish(new NodeEvent.TrustWarning(peer, changed.warning()));
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot remember the key of {}: {}", peer.qualifiedName(), e.getMessage());
      events.publish(new NodeEvent.Error(e.getMessage()));
    }
  }

  /**
   * Decides how to reach a peer: over TLS to the id it proved, or plain. It only reads the trust
   * store (keys are remembered when a peer joins), because the outbox asks on an event loop for
   * every connection it opens.
   *
   * @return the id the TLS handshake must prove, or null for a plain connection
   * @throws SendException if the peer's key changed, or it is plain and encryption is required
   */
  private PeerId securityFor(Peer peer) throws SendException {
    if (peer.id() != null && peer.has("tls")) {
      if (trust.status(peer.nickname(), peer.id()) instanceof TrustStore.Changed changed) {
        throw new SendException(SendException.Reason.UNTRUSTED, changed.warning());
      }
      return peer.id();
    }
    if (options.requireEncryption()) {
      throw new SendException(
          SendException.Reason.ENCRYPTION_REQUIRED,
          peer.qualifiedName()
              + " speaks only the plain, unencrypted protocol, and encryption is required"
              + " (--require-encryption); the message was not sent");
    }
    return null;
  }

  /**
   * Accepts the key a peer presents now as the one to remember for its nickname, after a change.
   *
   * @param target the peer, as a user names it (see {@link #resolve})
   * @return the peer now trusted
   * @throws SendException if no single peer matches, or the peer has no identity
   */
  public Peer trust(String target) throws SendException {
    Peer peer = resolve(target);
    if (peer.id() == null) {
      throw new SendException(
          SendException.Reason.FAILED,
          peer.qualifiedName() + " is a plain peer without an identity: there is no key to trust");
    }
    trust.trust(peer.nickname(), peer.id());
    LOG.info("Now trusting {} with id {}", peer.qualifiedName(), peer.id());
    return peer;
  }

  /**
   * What a user compares out of band to verify a peer: our id, the id it proves and the ids
   * accepted for its nickname.
   *
   * @param ours our id
   * @param peer the peer (its {@link Peer#id()} is the id it proves, null for a plain peer)
   * @param remembered the ids accepted for its nickname, possibly none
   */
  public record Verification(PeerId ours, Peer peer, List<PeerId> remembered) {}

  /**
   * Shows the fingerprints for comparing with a peer out of band.
   *
   * @param target the peer, as a user names it
   * @return our id, the peer's and the remembered one
   * @throws SendException if no single peer matches
   */
  public Verification verify(String target) throws SendException {
    Peer peer = resolve(target);
    return new Verification(identity.id(), peer, trust.remembered(peer.nickname()));
  }

  /**
   * Tells how far a peer is trusted, for the peer list.
   *
   * @param peer the peer
   * @return {@code plain} (no identity), {@code verified} (its key is the remembered one) or {@code
   *     changed} (another key is remembered for its nickname)
   */
  public String trustOf(Peer peer) {
    if (peer.id() == null) {
      return "plain";
    }
    TrustStore store = trust;
    return store != null && store.status(peer.nickname(), peer.id()) instanceof TrustStore.Changed
        ? "changed"
        : "verified";
  }

  /** Logs a background problem, and tells listeners of it at most once per 10 s. */
  private void problem(String message) {
    LOG.warn("{}", message);
    long now = System.nanoTime();
    long last = lastProblemNanos.get();
    if (now - last >= PROBLEM_GAP_NANOS && lastProblemNanos.compareAndSet(last, now)) {
      events.publish(new NodeEvent.Error(message));
    }
  }

  /** Turns the outbox's reports into node events. */
  private final class DeliveryEvents implements DeliveryListener {
    @Override
    public void queued(StoredMessage m) {
      events.publish(
          new NodeEvent.Delivery(
              m.id(), m.nickname(), m.peer(), DeliveryState.QUEUED, m.content()));
    }

    @Override
    public void sent(StoredMessage m, Peer peer) {
      directory.talkedTo(peer.address());
      events.publish(new NodeEvent.MessageSent(peer, m.content(), m.id()));
      events.publish(
          new NodeEvent.Delivery(
              m.id(), peer.nickname(), m.peer(), DeliveryState.SENT, m.content()));
    }

    @Override
    public void delivered(StoredMessage m) {
      events.publish(
          new NodeEvent.Delivery(
              m.id(), m.nickname(), m.peer(), DeliveryState.DELIVERED, m.content()));
    }

    @Override
    public void problem(String message) {
      PeerNode.this.problem(message);
    }
  }

  /**
   * Returns the address of the one listed peer with the sender's nickname on the connection's IP,
   * or, if there is no such peer or several, the connection's own address. Runs for every message.
   */
  private String senderAddress(String nick, InetSocketAddress remote, PeerId proven) {
    Peer match = null;
    for (Peer p : directory.byNickname(nick)) {
      if (p.address().getAddress().equals(remote.getAddress())
          && (proven == null || proven.equals(p.id()))) {
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

  /** Checks that a text can go on the wire, with the longest nickname and an id. */
  private static ChatLine chatLine(String text) throws SendException {
    Objects.requireNonNull(text, "text");
    ChatLine line;
    try {
      line = ChatLine.now(WORST_NICKNAME, text).withId(WORST_ID);
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
