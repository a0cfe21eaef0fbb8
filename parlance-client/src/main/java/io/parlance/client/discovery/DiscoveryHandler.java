package io.parlance.client.discovery;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryPacket;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns decoded announces and goodbyes into changes of the {@link PeerDirectory}, skipping our own
 * looped-back datagrams, and asks for a prompt announce when a new peer appears; bad datagrams are
 * dropped with a debug log and the socket keeps serving.
 */
final class DiscoveryHandler extends SimpleChannelInboundHandler<DiscoveryPacket> {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryHandler.class);

  /** Bounds the map of datagram senders; it is pruned to known peers when it grows past this. */
  static final int MAX_TRACKED_SENDERS = 4096;

  private final PeerDirectory directory;
  private final Set<InetAddress> ownAddresses;
  private final IntSupplier ownTcpPort;
  private final Runnable newcomerHeard;

  /** The datagram sender (ip:udp-port) of each announced peer address, to match goodbyes. */
  private final Map<InetSocketAddress, InetSocketAddress> peerBySender = new HashMap<>();

  /**
   * Creates the handler.
   *
   * @param directory where peers go
   * @param ownAddresses the IPs our own datagrams come from
   * @param ownTcpPort our announced TCP port
   * @param newcomerHeard called (on the event loop) when an announce reveals a new peer
   */
  DiscoveryHandler(
      PeerDirectory directory,
      Set<InetAddress> ownAddresses,
      IntSupplier ownTcpPort,
      Runnable newcomerHeard) {
    this.directory = directory;
    this.ownAddresses = Set.copyOf(ownAddresses);
    this.ownTcpPort = ownTcpPort;
    this.newcomerHeard = newcomerHeard;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DiscoveryPacket packet) {
    InetSocketAddress sender = packet.address();
    if (packet.message() instanceof Announce announce) {
      if (isOwn(sender.getAddress(), announce.tcpPort())) {
        return;
      }
      InetSocketAddress peer = new InetSocketAddress(sender.getAddress(), announce.tcpPort());
      rememberSender(sender, peer);
      if (directory.upsert(announce.nickname(), peer, Peer.LAN) == PeerDirectory.Change.JOINED) {
        newcomerHeard.run();
      }
    } else if (packet.message() instanceof Goodbye goodbye) {
      InetSocketAddress peer = peerBySender.remove(sender);
      if (peer != null
          && directory.get(peer).filter(p -> p.nickname().equals(goodbye.nickname())).isPresent()) {
        directory.remove(peer, PeerDirectory.LeaveReason.GOODBYE);
      } else {
        // A goodbye names no port: without a matching sender, drop that nickname at that IP.
        directory.removeByNickname(goodbye.nickname(), sender.getAddress(), Peer.LAN);
      }
    }
  }

  private boolean isOwn(InetAddress ip, int tcpPort) {
    return tcpPort == ownTcpPort.getAsInt() && ownAddresses.contains(ip);
  }

  private void rememberSender(InetSocketAddress sender, InetSocketAddress peer) {
    if (peerBySender.size() >= MAX_TRACKED_SENDERS && !peerBySender.containsKey(sender)) {
      peerBySender.values().removeIf(p -> directory.get(p).isEmpty());
      if (peerBySender.size() >= MAX_TRACKED_SENDERS) {
        peerBySender.clear();
      }
    }
    peerBySender.put(sender, peer);
  }

  /**
   * Returns how many datagram senders are tracked, for tests.
   *
   * @return the count
   */
  int trackedSenders() {
    return peerBySender.size();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException) {
      LOG.debug("Dropped a bad datagram: {}", cause.getMessage());
    } else {
      LOG.warn("Discovery socket error, still serving: {}", cause.toString());
    }
  }
}
