package io.parlance.bootstrap;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.parlance.bootstrap.registry.Registry;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/** What the handlers of one server share: settings, registry, metrics, per-IP state. */
final class ServerState {

  /** The client's IP, as the connection limiter determined it. */
  static final AttributeKey<InetAddress> CLIENT_IP = AttributeKey.valueOf("parlance.clientIp");

  /** The per-IP state of the client, while the connection counts against it. */
  static final AttributeKey<IpState> IP_STATE = AttributeKey.valueOf("parlance.ipState");

  /** Set once the WebSocket handshake is done. */
  static final AttributeKey<Boolean> WEBSOCKET_OPEN = AttributeKey.valueOf("parlance.websocket");

  final BootstrapServerConfig config;
  final Registry registry;
  final ServerMetrics metrics;
  final PeerEventBroadcaster broadcaster;
  final ChannelGroup channels = new DefaultChannelGroup("bootstrap", GlobalEventExecutor.INSTANCE);
  final ConcurrentHashMap<InetAddress, IpState> ips = new ConcurrentHashMap<>();
  final long startNanos = System.nanoTime();
  volatile boolean stopping;

  ServerState(BootstrapServerConfig config) {
    this.config = config;
    this.registry = config.registry().get();
    this.metrics = new ServerMetrics(registry);
    this.broadcaster = new PeerEventBroadcaster(metrics);
    registry.addListener(broadcaster);
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
