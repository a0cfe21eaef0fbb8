package io.parlance.bootstrap;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.parlance.bootstrap.cluster.RedisCluster;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.MailboxService;
import io.parlance.bootstrap.registry.LocalClaims;
import io.parlance.bootstrap.registry.NicknameClaims;
import io.parlance.bootstrap.registry.NicknameHolds;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.bootstrap.registry.RegistryListener;
import io.parlance.bootstrap.relay.PunchCoordinator;
import io.parlance.bootstrap.relay.ReachabilityProbe;
import io.parlance.bootstrap.relay.RelayBroker;
import io.parlance.protocol.TokenBucket;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the handlers of one server share: settings, registry, metrics, per-IP state, and the
 * connections that hold registrations (so a takeover can close the connection it replaced).
 */
final class ServerState {

  /** The client's IP, as the connection limiter determined it. */
  static final AttributeKey<InetAddress> CLIENT_IP = AttributeKey.valueOf("parlance.clientIp");

  /** The per-IP state of the client, while the connection counts against it. */
  static final AttributeKey<IpState> IP_STATE = AttributeKey.valueOf("parlance.ipState");

  /** Set once the WebSocket handshake is done. */
  static final AttributeKey<Boolean> WEBSOCKET_OPEN = AttributeKey.valueOf("parlance.websocket");

  final BootstrapServerConfig config;
  final Registry registry;

  /** Who may hold a nickname: this server alone, or the cluster through Redis. */
  final NicknameClaims claims;

  /** The cluster membership with {@code --redis}, else null. */
  final RedisCluster cluster;

  final ServerMetrics metrics;
  final PeerEventBroadcaster broadcaster;
  final ChannelGroup channels = new DefaultChannelGroup("bootstrap", GlobalEventExecutor.INSTANCE);
  final ConcurrentHashMap<InetAddress, IpState> ips = new ConcurrentHashMap<>();

  /** The connections that hold a registration, by its {@link PeerEntry#owner() owner}. */
  final ConcurrentHashMap<String, Channel> holders = new ConcurrentHashMap<>();

  /** Nicknames kept for the key that last held them. */
  final NicknameHolds holds;

  /** Makes the challenge nonces and relay tokens. */
  final SecureRandom random = new SecureRandom();

  /** Pairs peers for relayed sessions. */
  final RelayBroker relay;

  /** Coordinates hole punches between registered peers. */
  final PunchCoordinator punch;

  /** Probes whether a registering peer can be reached directly. */
  final ReachabilityProbe probe;

  /** Salts the {@code peer_id}s given to Rust peers, so they reveal nothing of the connection. */
  final byte[] rustIdSalt = new byte[16];

  /** The sealed mailbox, or null when the server keeps none. */
  final MailboxService mailbox;

  /** The URL of this server's relay WebSocket, which offers routed to other servers name. */
  volatile String relayUrl;

  final long startNanos = System.nanoTime();
  volatile boolean stopping;

  /** The state of a server on its own (no cluster), for handler tests. */
  ServerState(BootstrapServerConfig config) {
    this(config, null, 0);
  }

  ServerState(BootstrapServerConfig config, EventLoopGroup workers, int workerThreads) {
    this.config = config;
    random.nextBytes(rustIdSalt);
    this.holds =
        new NicknameHolds(
            config.nicknameHold(), config.maxNicknameHolds(), System::currentTimeMillis);
    if (config.cluster() == null) {
      this.cluster = null;
      this.registry = config.registry().get();
      this.claims = new LocalClaims(registry, holds);
    } else {
      this.cluster = RedisCluster.start(config.cluster(), workers, workerThreads);
      this.registry = cluster.registry();
      this.claims = cluster;
    }
    this.metrics = new ServerMetrics(registry);
    this.broadcaster = new PeerEventBroadcaster(metrics);
    MailboxConfig mail = config.mailbox();
    if (mail != null && cluster != null) {
      // In a cluster the mailbox is shared through Redis: a deposit on any server, a fetch on any.
      mail = mail.withStore(cluster::openMailbox);
    }
    try {
      this.mailbox =
          mail == null
              ? null
              : new MailboxService(mail, metrics.meters(), System::currentTimeMillis);
    } catch (RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    this.relay = new RelayBroker(config.relay(), random);
    this.probe = new ReachabilityProbe(config.relay());
    this.punch = new PunchCoordinator(config.relay().enabled(), random, System::currentTimeMillis);
    metrics.relay(relay, probe);
    if (cluster != null) {
      cluster.onRelayOffer(this::deliverOffer);
    }
    registry.addListener(broadcaster);
    registry.addListener(
        new RegistryListener() {
          @Override
          public void onJoined(PeerEntry entry) {}

          @Override
          public void onLeft(PeerEntry entry) {}

          @Override
          public void onReplaced(PeerEntry previous, PeerEntry entry) {
            // Tell the replaced connection, on its own event loop, that it lost its nickname.
            Channel holder = holders.get(previous.owner());
            if (holder != null) {
              holder.pipeline().fireUserEventTriggered(new RegistryHandler.Replaced(previous));
            }
          }

          @Override
          public void onDisplaced(PeerEntry previous) {
            // In a cluster the keyed registration may have been made on another server.
            Channel holder = holders.get(previous.owner());
            if (holder != null) {
              holder.pipeline().fireUserEventTriggered(new RegistryHandler.Displaced(previous));
            }
          }
        });
  }

  /** Passes a relay offer another server routed here to the registration it is for, if held. */
  private void deliverOffer(String owner, io.parlance.protocol.bootstrap.RelayFrames.Offer offer) {
    Channel holder = holders.get(owner);
    if (holder == null || !holder.isActive()) {
      return; // gone meanwhile: the session expires on the requester's server
    }
    if (!holder.isWritable()) {
      SlowConsumers.close(holder, metrics);
      return;
    }
    metrics.framesOut.increment();
    holder.writeAndFlush(offer);
  }

  /** Connections and registration budget of one client IP; lives while it has connections. */
  static final class IpState {
    int connections;
    final TokenBucket registrations;

    IpState(BootstrapServerConfig config) {
      registrations =
          new TokenBucket(config.registrationsPerSecondPerIp(), config.registrationBurstPerIp());
    }
  }
}
