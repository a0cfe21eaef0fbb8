package io.parlance.client.discovery;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryPacket;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns decoded announces and goodbyes into changes of the {@link PeerDirectory}, skipping our own
 * looped-back datagrams, and tells the server of each new peer so it can answer promptly; bad
 * datagrams are dropped with a debug log and the socket keeps serving.
 */
final class DiscoveryHandler extends SimpleChannelInboundHandler<DiscoveryPacket> {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryHandler.class);

  /** Bounds the map of datagram senders; it is pruned to known peers when it grows past this. */
  static final int MAX_TRACKED_SENDERS = 4096;

  private final PeerDirectory directory;
  private final Set<InetAddress> ownAddresses;
  private final IntSupplier ownTcpPort;
  private final Newcomers newcomers;

  /** The datagram sender (ip:udp-port) of each announced peer address, to match goodbyes. */
  private final Map<InetSocketAddress, InetSocketAddress> peerBySender = new HashMap<>();

  /** The last announce from each sender and what its check found, to verify each change once. */
  private final Map<InetSocketAddress, Checked> lastChecked = new HashMap<>();

  /** The public key of each peer id heard, to check its goodbye. */
  private final Map<PeerId, PublicKey> keys = new HashMap<>();

  private long forgedAnnounces;

  private record Checked(Announce announce, SignedDiscovery.Check check) {}

  /** Who hears of new peers, on the event loop. */
  @FunctionalInterface
  interface Newcomers {
    /**
     * An announce revealed a new peer.
     *
     * @param sender the socket the announce came from
     * @param signed true if it proved an identity (so it is one of our peers, not a plain one)
     */
    void heard(InetSocketAddress sender, boolean signed);
  }

  /**
   * Creates the handler.
   *
   * @param directory where peers go
   * @param ownAddresses the IPs our own datagrams come from
   * @param ownTcpPort our announced TCP port
   * @param newcomers told when an announce reveals a new peer
   */
  DiscoveryHandler(
      PeerDirectory directory,
      Set<InetAddress> ownAddresses,
      IntSupplier ownTcpPort,
      Newcomers newcomers) {
    this.directory = directory;
    this.ownAddresses = Set.copyOf(ownAddresses);
    this.ownTcpPort = ownTcpPort;
    this.newcomers = newcomers;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DiscoveryPacket packet) {
    InetSocketAddress sender = packet.address();
    if (packet.message() instanceof Announce announce) {
      if (isOwn(sender.getAddress(), announce.tcpPort())) {
        return;
      }
      InetSocketAddress address = new InetSocketAddress(sender.getAddress(), announce.tcpPort());
      Peer peer;
      SignedDiscovery.Check check = check(sender, announce);
      if (check instanceof SignedDiscovery.Valid valid) {
        peer =
            new Peer(
                announce.nickname(),
                address,
                Peer.LAN,
                valid.id(),
                announce.caps() == null ? Set.of() : Set.copyOf(announce.caps()));
        rememberKey(valid.id(), valid.key());
      } else if (check instanceof SignedDiscovery.Forged) {
        forgedAnnounces++;
        return;
      } else {
        peer = new Peer(announce.nickname(), address, Peer.LAN);
      }
      rememberSender(sender, address);
      if (directory.upsert(peer) == PeerDirectory.Change.JOINED) {
        newcomers.heard(sender, peer.id() != null);
      }
    } else if (packet.message() instanceof Goodbye goodbye) {
      goodbye(sender, goodbye);
    }
  }

  private void goodbye(InetSocketAddress sender, Goodbye goodbye) {
    InetSocketAddress known = peerBySender.get(sender);
    List<Peer> leaving =
        known != null
            ? directory.get(known).stream()
                .filter(p -> p.nickname().equals(goodbye.nickname()))
                .toList()
            : directory.byNickname(goodbye.nickname()).stream()
                .filter(
                    p ->
                        Peer.LAN.equals(p.source())
                            && p.address().getAddress().equals(sender.getAddress()))
                .toList();
    for (Peer peer : leaving) {
      if (peer.id() != null) {
        PublicKey key = keys.get(peer.id());
        if (key == null || !SignedDiscovery.isSignedBy(goodbye, peer.id(), key)) {
          LOG.warn(
              "Ignored a goodbye for {} from {}: not signed by its key",
              peer.qualifiedName(),
              Peer.format(sender));
          continue;
        }
      }
      if (directory.remove(peer.address(), PeerDirectory.LeaveReason.GOODBYE).isPresent()) {
        peerBySender.values().remove(peer.address());
      }
    }
  }

  /** Checks an announce, verifying the signature only when this sender's announce changed. */
  private SignedDiscovery.Check check(InetSocketAddress sender, Announce announce) {
    Checked last = lastChecked.get(sender);
    if (last != null && last.announce().equals(announce)) {
      return last.check();
    }
    SignedDiscovery.Check check = SignedDiscovery.check(announce);
    if (check instanceof SignedDiscovery.Forged forged) {
      // Logged once per change of a sender's announce, so a repeated forgery cannot flood the log.
      LOG.warn(
          "Ignored an announce of {} from {}: {}",
          announce.nickname(),
          Peer.format(sender),
          forged.reason());
    }
    if (lastChecked.size() >= MAX_TRACKED_SENDERS) {
      lastChecked.clear();
    }
    lastChecked.put(sender, new Checked(announce, check));
    return check;
  }

  private void rememberKey(PeerId id, PublicKey key) {
    if (keys.size() >= MAX_TRACKED_SENDERS && !keys.containsKey(id)) {
      keys.keySet().removeIf(k -> directory.peers().stream().noneMatch(p -> k.equals(p.id())));
      if (keys.size() >= MAX_TRACKED_SENDERS) {
        keys.clear();
      }
    }
    keys.put(id, key);
  }

  /**
   * Returns how many announces were ignored because their identity did not hold, for tests.
   *
   * @return the count
   */
  long forgedAnnounces() {
    return forgedAnnounces;
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
