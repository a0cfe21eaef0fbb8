package io.parlance.client.node;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.parlance.client.internet.BootstrapClient;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.internet.BootstrapListener;
import io.parlance.client.internet.RemotePeer;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The internet discovery source: registers with the bootstrap server under our nickname, feeds the
 * peers it reports into the directory, and tells the node's listeners how the server stands.
 */
final class InternetDiscovery implements AutoCloseable {

  private final String server;
  private final Identity identity;
  private final List<String> capabilities;
  private final int tcpPort;
  private final PeerDirectory directory;
  private final EventDispatcher events;
  private volatile BootstrapClient client;
  private volatile boolean closed;
  private volatile Runnable onRegistered = () -> {};
  private volatile Boolean reachable;
  private final boolean relay;
  private final boolean punch;
  private final int advertisedPort;
  private final Map<PeerId, Boolean> peersReachable = new ConcurrentHashMap<>();
  private volatile Consumer<RelayFrames.Offer> offers = offer -> {};
  private volatile Consumer<PunchFrames.Offer> punchOffers = offer -> {};
  private volatile Consumer<PunchFrames.Go> punchGoes = go -> {};
  private volatile SslContext relayTls;

  InternetDiscovery(
      String server,
      Identity identity,
      List<String> capabilities,
      int tcpPort,
      PeerDirectory directory,
      EventDispatcher events) {
    this(server, identity, capabilities, tcpPort, 0, false, directory, events);
  }

  /**
   * Creates the source.
   *
   * @param advertisedPort the port to register if not {@code tcpPort} (0 for {@code tcpPort})
   * @param relay true to register the {@value RelayFrames#CAP} capability and take relay offers
   */
  InternetDiscovery(
      String server,
      Identity identity,
      List<String> capabilities,
      int tcpPort,
      int advertisedPort,
      boolean relay,
      PeerDirectory directory,
      EventDispatcher events) {
    this(server, identity, capabilities, tcpPort, advertisedPort, relay, relay, directory, events);
  }

  /**
   * Creates the source.
   *
   * @param advertisedPort the port to register if not {@code tcpPort} (0 for {@code tcpPort})
   * @param relay true to register the {@value RelayFrames#CAP} capability and take relay offers
   * @param punch true (with {@code relay}) to register {@value PunchFrames#CAP} and take part in
   *     hole punches
   */
  InternetDiscovery(
      String server,
      Identity identity,
      List<String> capabilities,
      int tcpPort,
      int advertisedPort,
      boolean relay,
      boolean punch,
      PeerDirectory directory,
      EventDispatcher events) {
    this.server = Objects.requireNonNull(server, "server");
    this.identity = Objects.requireNonNull(identity, "identity");
    List<String> caps = new ArrayList<>(capabilities);
    if (relay && !caps.contains(RelayFrames.CAP)) {
      caps.add(RelayFrames.CAP);
    }
    this.punch = relay && punch;
    if (this.punch && !caps.contains(PunchFrames.CAP) && punchable(server)) {
      caps.add(PunchFrames.CAP);
    }
    this.capabilities = List.copyOf(caps);
    this.relay = relay;
    this.advertisedPort = advertisedPort > 0 ? advertisedPort : tcpPort;
    this.tcpPort = tcpPort;
    this.directory = Objects.requireNonNull(directory, "directory");
    this.events = Objects.requireNonNull(events, "events");
  }

  /**
   * Registers under a nickname, replacing the registration under the one before (the server binds a
   * registration to its nickname).
   *
   * @param nickname the nickname
   * @throws IllegalStateException if TLS to the server cannot be set up
   */
  synchronized void register(String nickname) {
    if (closed) {
      return;
    }
    BootstrapClient before = client;
    if (before != null) {
      before.close();
    }
    BootstrapClientOptions options =
        BootstrapClientOptions.builder(server, nickname, advertisedPort)
            .identity(identity)
            .caps(capabilities)
            .build();
    try {
      if (relay) {
        relayTls(); // built here, off the event loops: it reads the system's trust store
      }
      client = BootstrapClient.start(options, new Listener(nickname));
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for " + server + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the connection to the server, for the mailbox.
   *
   * @return the client, or null before the first registration and after close
   */
  BootstrapClient client() {
    return client;
  }

  /**
   * Sets what runs each time the server registers us (the mailbox fetches then).
   *
   * @param hook the hook; must not block
   */
  void onRegistered(Runnable hook) {
    this.onRegistered = Objects.requireNonNull(hook, "hook");
  }

  /**
   * Tells whether the server, at our last registration, could connect back to our TCP port.
   *
   * @return true or false as the server's probe found, null if it did not probe (yet)
   */
  Boolean reachable() {
    return reachable;
  }

  /** The end of the registered status line: what the server's probe of our port found. */
  static String reachability(Boolean reachable, int port) {
    if (reachable == null) {
      return "";
    }
    return reachable
        ? "; it reached our port " + port + " directly"
        : "; it could not connect back to our port "
            + port
            + ": peers elsewhere on the internet cannot connect to us directly (NAT or firewall?);"
            + " we can still send to peers that accept connections, but for their messages to"
            + " reach us, forward TCP port "
            + port
            + " to this machine";
  }

  /**
   * Tells whether relaying is on: the relay capability registered, offers taken.
   *
   * @return true unless {@code --no-relay}
   */
  boolean relay() {
    return relay;
  }

  /**
   * Sets what to do with the relay offers the server passes on (join them, or not).
   *
   * @param handler called on the bootstrap client's loop; must not block
   */
  void onOffer(Consumer<RelayFrames.Offer> handler) {
    this.offers = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Sets what to do with the hole-punch offers and go frames the server sends.
   *
   * @param offered called with an offer, on the bootstrap client's loop; must not block
   * @param go called with a go, on the bootstrap client's loop; must not block
   */
  void onPunch(Consumer<PunchFrames.Offer> offered, Consumer<PunchFrames.Go> go) {
    this.punchOffers = Objects.requireNonNull(offered, "offered");
    this.punchGoes = Objects.requireNonNull(go, "go");
  }

  /**
   * Tells whether hole punches can be coordinated through the server we are registered with now:
   * relaying on, and a {@code ws://} server reached directly (the mapping request must come from
   * our own port, which TLS to the server or a proxy in between would not show it).
   *
   * @return true if so
   */
  boolean punch() {
    return punch && "ws".equals(currentServer().getScheme());
  }

  private static boolean punchable(String servers) {
    return servers.strip().startsWith("ws://");
  }

  /**
   * Asks the server to coordinate a hole punch with a registered peer.
   *
   * @param nickname the peer's nickname
   * @param id its id
   * @return completes with our token; fails with a message saying why not
   */
  CompletableFuture<PunchFrames.Ready> requestPunch(String nickname, PeerId id) {
    BootstrapClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("not registered with " + server));
    }
    return c.requestPunch(nickname, id.value());
  }

  /**
   * Returns the server we are registered with now, where a punch's mapping is fetched.
   *
   * @return its URL
   */
  URI punchServer() {
    return currentServer();
  }

  /**
   * Asks the server for a relayed session to a registered peer.
   *
   * @param nickname the peer's nickname
   * @param id its id
   * @return completes with our token; fails with a message saying why not
   */
  CompletableFuture<RelayFrames.Ready> requestRelay(String nickname, PeerId id) {
    BootstrapClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("not registered with " + server));
    }
    return c.requestRelay(nickname, id.value());
  }

  /**
   * What the server's probe found of a peer's port at its last listing.
   *
   * @param id the peer's id
   * @return true or false, null if not probed
   */
  Boolean reachable(PeerId id) {
    return peersReachable.get(id);
  }

  /**
   * Returns the server's relay: its URL with the path {@value RelayFrames#PATH} after the path it
   * is reached at (a server mounted under a prefix keeps it).
   *
   * @return the URI
   */
  URI relayUri() {
    URI base = currentServer();
    String path = base.getPath() == null ? "" : base.getPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    try {
      return new URI(
          base.getScheme(),
          null,
          base.getHost(),
          base.getPort(),
          path + RelayFrames.PATH,
          null,
          null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot make the relay URL of " + server, e);
    }
  }

  /**
   * Makes our join of a relayed session: the token, our id and our signature over it, so the relay
   * (on any server of the cluster) knows the token is used by the key it was given to.
   *
   * @param token the token of a {@code relay_ready} or {@code relay_offer}
   * @return the join
   */
  RelayFrames.Join signedJoin(String token) {
    return new RelayFrames.Join(
        token,
        identity.id().value(),
        java.util.Base64.getEncoder()
            .encodeToString(identity.sign(RelayFrames.joinPayload(token))));
  }

  /**
   * Returns TLS to the relay for a {@code wss://} server, else null.
   *
   * @return the context, or null
   * @throws SSLException if TLS cannot be set up
   */
  SslContext relayTls() throws SSLException {
    return relayTls(relayUri());
  }

  /**
   * Returns TLS to a relay for a {@code wss://} URL, else null.
   *
   * @param relay the relay's URL (ours, or the one an offer names)
   * @return the context, or null
   * @throws SSLException if TLS cannot be set up
   */
  SslContext relayTls(URI relay) throws SSLException {
    if (!"wss".equals(relay.getScheme())) {
      return null;
    }
    SslContext ctx = relayTls;
    if (ctx == null) {
      ctx = SslContextBuilder.forClient().build();
      relayTls = ctx;
    }
    return ctx;
  }

  /**
   * Names the server for users: its host and port.
   *
   * @return e.g. {@code relay.example.org:8080}
   */
  String serverName() {
    URI base = currentServer();
    return base.getPort() > 0 ? base.getHost() + ":" + base.getPort() : base.getHost();
  }

  /**
   * The server we are registered with now: with several (a cluster, {@code --bootstrap} given more
   * than once) the one the client failed over to last; before the first registration, the first.
   */
  private URI currentServer() {
    BootstrapClient c = client;
    return c != null
        ? c.options().server()
        : BootstrapClientOptions.parseServerUrl(server.split(",", 2)[0].strip());
  }

  @Override
  public synchronized void close() {
    closed = true;
    BootstrapClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }

  /** Feeds one registration's reports into the directory and the node's events. */
  private final class Listener implements BootstrapListener {
    private final String name;

    private Listener(String name) {
      this.name = name;
    }

    @Override
    public void onRegistered(InetSocketAddress address, Boolean reachable) {
      InternetDiscovery.this.reachable = reachable;
      events.publish(
          new NodeEvent.ServerStatus(
              "registered",
              "registered with "
                  + server
                  + " as "
                  + name
                  + "; it sees us at "
                  + address.getAddress().getHostAddress()
                  + ":"
                  + address.getPort()
                  + reachability(reachable, address.getPort())));
      onRegistered.run();
    }

    @Override
    public void onRelayOffer(RelayFrames.Offer offer) {
      if (relay) {
        offers.accept(offer);
      }
    }

    @Override
    public void onPunchOffer(PunchFrames.Offer offer) {
      if (punch()) {
        punchOffers.accept(offer);
      }
    }

    @Override
    public void onPunchGo(PunchFrames.Go go) {
      punchGoes.accept(go);
    }

    @Override
    public void onPeerReachability(RemotePeer peer, Boolean peerReachable) {
      if (peer.id() != null) {
        if (peerReachable == null) {
          peersReachable.remove(peer.id());
        } else {
          peersReachable.put(peer.id(), peerReachable);
        }
      }
    }

    @Override
    public void onPeerJoined(RemotePeer peer) {
      String peerName = peer.nickname();
      InetSocketAddress address = peer.address();
      if (!peerName.equals(name) || address.getPort() != tcpPort) {
        if (peer.id() != null && peer.key() != null) {
          // checked against the id and the registration's signature (RemotePeer.of): a room's
          // state names its members by this key, so an internet peer can be invited
          directory.rememberKey(peer.id(), peer.key());
        }
        directory.upsert(new Peer(peerName, address, Peer.INTERNET, peer.id(), peer.caps()));
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
      // A Rust Parlance server registered us, as a plain peer: a warning, not a refusal.
      events.publish(
          new NodeEvent.ServerStatus(
              BootstrapClient.RUST_DIALECT.equals(code) ? BootstrapClient.RUST_DIALECT : "refused",
              message));
    }
  }
}
