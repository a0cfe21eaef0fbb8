package io.parlance.client.discovery;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryPacket;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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

  /** What each peer id heard proved: its key, to check its goodbye, and its highest {@code seq}. */
  private final Map<PeerId, Heard> heard = new HashMap<>();

  private long forgedAnnounces;
  private long replays;

  private record Checked(Announce announce, SignedDiscovery.Check check) {}

  /**
   * A peer id's key and the highest sequence number it signed, or {@link #NO_SEQ} if it sent none.
   */
  private record Heard(PublicKey key, long highestSeq) {
    static final long NO_SEQ = -1;
  }

  private static final LogLimiter FORGED = new LogLimiter();
  private static final LogLimiter REPLAYED = new LogLimiter();
  private static final LogLimiter UNSIGNED_GOODBYES = new LogLimiter();
  private static final LogLimiter BAD_DATAGRAMS = new LogLimiter();

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
        if (!isFresh(valid, announce, sender)) {
          return;
        }
        peer =
            new Peer(
                announce.nickname(),
                address,
                Peer.LAN,
                valid.id(),
                announce.caps() == null ? Set.of() : Set.copyOf(announce.caps()));
        remember(valid.id(), valid.key(), valid.seq());
        directory.rememberKey(
            valid.id(), java.util.Base64.getEncoder().encodeToString(valid.key().getEncoded()));
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
      if (peer.id() != null && !isFreshGoodbye(peer, goodbye, sender)) {
        continue;
      }
      if (directory.remove(peer.address(), PeerDirectory.LeaveReason.GOODBYE).isPresent()) {
        peerBySender.values().remove(peer.address());
      }
    }
  }

  /**
   * Tells whether a goodbye for a signed peer is signed by its key with a sequence number above any
   * it signed before, and if so records that number; logs why not otherwise.
   */
  private boolean isFreshGoodbye(Peer peer, Goodbye goodbye, InetSocketAddress sender) {
    Heard known = heard.get(peer.id());
    OptionalLong seq =
        known == null
            ? OptionalLong.empty()
            : SignedDiscovery.freshSequence(goodbye, peer.id(), known.key());
    if (seq.isEmpty()) {
      // Our peers from before sequence numbers sign goodbyes without one; such a goodbye is
      // replayable, so it is ignored like an unsigned one and the peer leaves by timeout.
      UNSIGNED_GOODBYES.log(
          more ->
              LOG.debug(
                  "Ignored a goodbye for {} from {}: not signed with a sequence number by its"
                      + " key{}",
                  peer.qualifiedName(),
                  Peer.format(sender),
                  more));
      return false;
    }
    if (seq.getAsLong() <= known.highestSeq()) {
      replayed(peer.qualifiedName(), "goodbye", seq.getAsLong(), known.highestSeq(), sender);
      return false;
    }
    heard.put(peer.id(), new Heard(known.key(), seq.getAsLong()));
    return true;
  }

  /**
   * Tells whether a valid announce is no older than what its id signed before: its sequence number
   * is at least the highest heard (the same announce repeats every few seconds), and an id that
   * sent sequence numbers does not go back to announces without one.
   */
  private boolean isFresh(SignedDiscovery.Valid valid, Announce announce, InetSocketAddress from) {
    Heard known = heard.get(valid.id());
    if (known == null || known.highestSeq() == Heard.NO_SEQ) {
      return true;
    }
    long seq = valid.seq() == null ? Heard.NO_SEQ : valid.seq();
    if (seq >= known.highestSeq()) {
      return true;
    }
    replayed(announce.nickname() + "@" + valid.id(), "announce", seq, known.highestSeq(), from);
    return false;
  }

  private void replayed(String who, String what, long seq, long highest, InetSocketAddress sender) {
    replays++;
    REPLAYED.log(
        more ->
            LOG.debug(
                "Ignored a replayed {} of {} from {}: sequence number {} is not above {}{}",
                what,
                LogLimiter.oneLine(who),
                Peer.format(sender),
                seq == Heard.NO_SEQ ? "(none)" : Long.toString(seq),
                highest,
                more));
  }

  /** Checks an announce, verifying the signature only when this sender's announce changed. */
  private SignedDiscovery.Check check(InetSocketAddress sender, Announce announce) {
    Checked last = lastChecked.get(sender);
    if (last != null && last.announce().equals(announce)) {
      return last.check();
    }
    SignedDiscovery.Check check = SignedDiscovery.check(announce);
    if (check instanceof SignedDiscovery.Forged forged) {
      // Logged once per change of a sender's announce, and rate-limited, so neither a repeated
      // forgery nor a stream of fresh ones can flood the log.
      FORGED.log(
          more ->
              LOG.warn(
                  "Ignored an announce of {} from {}: {}{}",
                  announce.nickname(),
                  Peer.format(sender),
                  forged.reason(),
                  more));
    }
    if (lastChecked.size() >= MAX_TRACKED_SENDERS) {
      lastChecked.clear();
    }
    lastChecked.put(sender, new Checked(announce, check));
    return check;
  }

  private void remember(PeerId id, PublicKey key, Long seq) {
    if (heard.size() >= MAX_TRACKED_SENDERS && !heard.containsKey(id)) {
      Set<PeerId> known = new HashSet<>();
      directory.peers().forEach(p -> known.add(p.id()));
      heard.keySet().retainAll(known);
      if (heard.size() >= MAX_TRACKED_SENDERS) {
        heard.clear();
      }
    }
    Heard before = heard.get(id);
    long highest =
        Math.max(
            before == null ? Heard.NO_SEQ : before.highestSeq(), seq == null ? Heard.NO_SEQ : seq);
    heard.put(id, new Heard(key, highest));
  }

  /**
   * Returns how many announces were ignored because their identity did not hold, for tests.
   *
   * @return the count
   */
  long forgedAnnounces() {
    return forgedAnnounces;
  }

  /**
   * Returns how many announces and goodbyes were ignored as replays, for tests.
   *
   * @return the count
   */
  long replays() {
    return replays;
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
      BAD_DATAGRAMS.log(
          more -> LOG.debug("Dropped a bad datagram: {}{}", LogLimiter.describe(cause), more));
    } else {
      LOG.warn("Discovery socket error, still serving: {}", cause.toString());
    }
  }
}
