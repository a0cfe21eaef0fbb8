package io.parlance.client.node;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.client.delivery.Outbox;
import io.parlance.client.discovery.DiscoveryConfig;
import io.parlance.client.discovery.DiscoveryServer;
import io.parlance.client.discovery.NetworkInterfaces;
import io.parlance.client.mailbox.MailCourier;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerLink;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.messaging.PendingTls;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.client.security.TlsContexts;
import io.parlance.client.security.TrustStore;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.protocol.bootstrap.MailFields;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The wiring of a running node: starts its components in order (identity and trust store, message
 * store, event loops, delivery, listener, pool, LAN and internet discovery) and closes them in the
 * reverse order. Each component gets what it needs through its constructor; the {@link PeerNode}
 * facade only forwards to them.
 */
final class NodeRuntime {

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final NodeOptions options;
  private final PeerDirectory directory;
  private final EventDispatcher events;
  private final Supplier<String> nickname;

  // Set once by start(), in order; read by the facade and the directory's listener.
  private volatile NetworkInterface networkInterface;
  private volatile Identity identity;
  private PendingTls clientTls;
  private PendingTls serverTls;
  private volatile TrustPolicy trust;
  private AsyncMessageStore store;
  private EventLoopGroup group;
  private volatile Outbox outbox;
  private volatile MessageServer server;
  private volatile ConnectionPool pool;
  private volatile DiscoveryServer discovery;
  private volatile InternetDiscovery internet;
  private MailboxEvents mailEvents;
  private MailCourier courier;
  private volatile RelayPaths relayPaths;
  private volatile int tcpPort;
  private volatile Messenger messenger;
  private volatile History history;
  private volatile Rooms rooms;
  private final PeerResolver resolver;
  private final MismatchAlerts mismatches;
  private volatile boolean running;
  private volatile PeerNode.Earlier earlier = new PeerNode.Earlier(0, 0);

  NodeRuntime(
      NodeOptions options,
      PeerDirectory directory,
      PeerResolver resolver,
      EventDispatcher events,
      Supplier<String> nickname) {
    this.options = options;
    this.directory = directory;
    this.resolver = resolver;
    this.events = events;
    this.nickname = nickname;
    this.mismatches = new MismatchAlerts(events, System::nanoTime);
  }

  /**
   * Starts every component; on failure closes those already started and rethrows.
   *
   * @return the TCP port we listen on
   */
  int start() throws InterruptedException {
    InetAddress groupAddress = PeerResolver.ipLiteral(options.multicastGroup());
    if (options.lanDiscovery()) {
      networkInterface = NetworkInterfaces.resolve(options.interfaceName(), groupAddress);
    }
    // The message store opens beside the identity and the trust store when the profile's directory
    // is there already (else after the identity has made it, private, so the store does not make it
    // with the default mode).
    Path dataDir = options.dataDir();
    CompletableFuture<MessageStore> opening =
        dataDir != null && Files.isDirectory(dataDir)
            ? OwnThread.run(
                "parlance-store-open", () -> MessageStore.open(dataDir.resolve(MessageStore.FILE)))
            : null;
    try {
      identity = dataDir == null ? Identity.generate() : Identity.loadOrCreate(dataDir);
    } catch (RuntimeException e) {
      closeWhenOpen(opening);
      throw e;
    }
    // The peer TLS contexts are built once the rest of the start is done, not before the chat is
    // ready nor beside it (on two cores their CPU time slows the start): a connection that needs
    // one first waits for it (PendingTls).
    ExecutorService tlsSetUp =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "parlance-tls-setup");
              t.setDaemon(true);
              return t;
            });
    CountDownLatch started = new CountDownLatch(1);
    tlsSetUp.execute(() -> awaitQuietly(started));
    Identity self = identity;
    clientTls = PendingTls.building(() -> TlsContexts.client(self), tlsSetUp);
    serverTls = PendingTls.building(() -> TlsContexts.server(self), tlsSetUp);
    tlsSetUp.shutdown(); // the thread ends once both are built
    try {
      TrustStore trustStore;
      try {
        trustStore = dataDir == null ? TrustStore.inMemory() : TrustStore.load(dataDir);
      } catch (RuntimeException e) {
        closeWhenOpen(opening);
        throw e;
      }
      trust = new TrustPolicy(trustStore, directory, options.requireEncryption(), events);
      MessageStore messages =
          dataDir == null
              ? MessageStore.inMemory()
              : opening != null
                  ? opened(opening)
                  : MessageStore.open(dataDir.resolve(MessageStore.FILE));
      earlier = new PeerNode.Earlier(messages.lastSeq(), System.currentTimeMillis());
      store = new AsyncMessageStore(messages);
      try {
        startNetwork(groupAddress);
      } catch (InterruptedException | RuntimeException e) {
        close();
        throw e;
      }
    } finally {
      started.countDown();
    }
    running = true;
    return tcpPort;
  }

  /** The store opened beside the start, or what its opening failed with, as it was thrown. */
  private static MessageStore opened(CompletableFuture<MessageStore> opening)
      throws InterruptedException {
    try {
      return OwnThread.result(opening);
    } catch (InterruptedException e) {
      opening.thenAccept(MessageStore::close);
      throw e;
    }
  }

  /**
   * Closes the store opened beside a start that failed before it took the store, once it is open
   * (its opening is bounded by the store's busy timeout), so the start leaves nothing open.
   */
  private static void closeWhenOpen(CompletableFuture<MessageStore> opening) {
    if (opening == null) {
      return;
    }
    try {
      opening.get().close();
    } catch (ExecutionException failedToOpen) {
      // nothing to close
    } catch (InterruptedException e) {
      opening.thenAccept(MessageStore::close);
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the latch; an interrupt (the node closing) ends the wait. */
  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startNetwork(InetAddress groupAddress) throws InterruptedException {
    group = new NioEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("parlance-io"));
    DeliveryEvents deliveryEvents = new DeliveryEvents(events, directory);
    if (options.bootstrapServer() != null && options.mailbox()) {
      mailEvents = new MailboxEvents(events, deliveryEvents, directory, options.bootstrapServer());
    }
    Outbox delivery =
        new Outbox(
            store,
            this::connection,
            group,
            new Outbox.Settings(
                options.deliveryWindow(),
                Math.max(1024, options.deliveryWindow() * 2),
                options.ackTimeout(),
                options.maxRetryDelay(),
                options.maxLinesPerSecond()),
            nickname,
            mailEvents != null ? mailEvents : deliveryEvents);
    InboundMessages inbound =
        new InboundMessages(store, directory, trust, events, deliveryEvents::problem);
    Rooms roomService =
        new Rooms(
            new io.parlance.client.room.IdentitySigner(identity),
            nickname,
            store,
            delivery,
            directory,
            events);
    roomService.load();
    rooms = roomService;
    inbound.rooms(roomService);
    server =
        new MessageServer(
            new InetSocketAddress(PeerResolver.ipLiteral(options.bindHost()), options.tcpPort()),
            inbound,
            options.inboundLimits(),
            new PeerTls.Contexts(serverTls, clientTls, options.requireEncryption()),
            inbound::isKnown,
            inbound::refused);
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
    messenger =
        new Messenger(
            directory,
            resolver,
            trust,
            delivery,
            store,
            events,
            () -> running,
            roomService::memberIds);
    history = new History(resolver, store);
    outbox = delivery;
    for (Peer known : directory.peers()) { // fed by other sources before the start
      trust.checkTrust(known);
      delivery.peerPresent(known);
    }
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
              nickname,
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
      List<String> caps = new ArrayList<>(options.capabilities());
      if (mailEvents != null) {
        caps.add(MailFields.CAPABILITY);
      }
      internet =
          new InternetDiscovery(
              options.bootstrapServer(),
              identity,
              caps,
              tcpPort,
              options.advertisedTcpPort(),
              options.relay(),
              options.holePunching(),
              directory,
              events);
      if (mailEvents != null) {
        courier =
            new MailCourier(
                identity,
                store,
                () -> internet == null ? null : internet.client(),
                nickname,
                mailEvents::online,
                mailEvents);
        courier.router(inbound::receivedByMail); // room lines for us while we were away
        mailEvents.courier(courier);
        internet.onRegistered(courier::registered);
      }
      if (options.relay()) {
        RelayPaths paths =
            new RelayPaths(pool, server, internet, group, options.relayRetryDirect());
        internet.onOffer(paths::offered);
        internet.onPunch(paths::punchOffered, paths::punchGo);
        relayPaths = paths;
      }
      internet.register(nickname.get());
    }
  }

  /** How the outbox reaches a peer: the pool, secured as the trust policy says. */
  private CompletableFuture<PeerLink> connection(Peer peer) {
    try {
      PeerId expected = trust.securityFor(peer);
      RelayPaths paths = relayPaths;
      CompletableFuture<PeerLink> link =
          paths != null
              ? paths.connection(peer, expected)
              : pool.connection(peer.address(), expected);
      if (expected != null) {
        // A man in the middle is told to the user whichever path the link took.
        link.whenComplete((l, error) -> mismatches.connected(peer, error));
      }
      return link;
    } catch (SendException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- directory events, while running -----------------------------------------------------

  void joined(Peer peer) {
    Outbox out = outbox;
    if (out != null) {
      trust.checkTrust(peer);
      out.peerPresent(peer);
      Rooms r = rooms;
      if (r != null) {
        r.peerPresent(peer);
      }
    }
  }

  void renamed(Peer before, Peer after) {
    Outbox out = outbox;
    if (out != null) {
      if (!Outbox.keyOf(before).equals(Outbox.keyOf(after))) {
        out.peerAbsent(before); // a plain peer's conversation is its nickname
      }
      out.peerPresent(after);
    }
  }

  void left(Peer peer) {
    Outbox out = outbox;
    if (out != null) {
      out.peerAbsent(peer);
    }
  }

  /** Announces a new nickname at once, and registers anew under it with the server. */
  void nicknameChanged(String newNickname) {
    if (discovery != null) {
      discovery.announceNow();
    }
    if (internet != null && running) {
      internet.register(newNickname);
    }
  }

  /** Says goodbye on the LAN, waiting a little for it to leave. */
  void sayGoodbye() throws InterruptedException {
    if (running && discovery != null) {
      discovery.sayGoodbye(CLOSE_WAIT);
    }
  }

  /** Closes every component, in the reverse order of start; the store last. */
  void close() {
    running = false;
    try {
      Outbox delivery = outbox;
      outbox = null;
      if (delivery != null) {
        delivery.close();
      }
      if (courier != null) {
        courier.close();
      }
      if (rooms != null) {
        rooms.close();
      }
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
      if (trust != null) {
        trust.close();
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

  boolean running() {
    return running;
  }

  NetworkInterface networkInterface() {
    return networkInterface;
  }

  Identity identity() {
    return identity;
  }

  TrustPolicy trust() {
    return trust;
  }

  int tcpPort() {
    return tcpPort;
  }

  Messenger messenger() {
    return messenger;
  }

  Rooms rooms() {
    return rooms;
  }

  History history() {
    return history;
  }

  PeerNode.Earlier earlier() {
    return earlier;
  }

  long inboundConnectionsAccepted() {
    return server == null ? 0 : server.acceptedConnections();
  }

  long outboundConnectionsOpened() {
    return pool == null ? 0 : pool.connectionsOpened();
  }

  /**
   * Says how a peer is reached: {@code direct} or {@code relayed via <server>}.
   *
   * @param peer the peer
   * @return the path, empty if no link is open or known
   */
  java.util.Optional<String> pathTo(Peer peer) {
    RelayPaths paths = relayPaths;
    if (paths == null) {
      return java.util.Optional.empty();
    }
    return paths.path(peer.id());
  }

  int pooledConnections() {
    return pool == null ? 0 : pool.size();
  }
}
