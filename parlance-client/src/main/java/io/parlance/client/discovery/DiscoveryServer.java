package io.parlance.client.discovery;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.TokenBucket;
import io.parlance.protocol.codec.DiscoveryEncoder;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryPacket;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LAN discovery on one interface: listens on the multicast group, announces us at start, on every
 * interval and promptly (rate-limited) when a newcomer appears, drops silent peers, and says
 * goodbye.
 *
 * <p>Two sockets: the receiver is bound to the group's port with {@code SO_REUSEADDR}, so several
 * peers share a machine; the sender has a port of its own, so a goodbye can be matched to the exact
 * peer that announced from the same socket. Both are pinned to the chosen interface with TTL 1, and
 * both run on one event loop, which also runs every timer.
 *
 * <p>A newcomer is answered twice. A signed newcomer on our link that announced from a socket of
 * its own (one of our peers, not a plain one) gets our announce at once, by unicast to that socket,
 * within {@link #ANSWERS_PER_SECOND} a second; the sending socket hands what arrives on it to the
 * receiver's pipeline. And every newcomer gets our announce on the group, at once or, if we
 * answered one less than the reply gap ago, when the gap is over: that one covers every newcomer of
 * the gap, plain peers, and a newcomer whose firewall drops the unicast answer. So the last of a
 * crowd starting together lists everyone as soon as the answers arrive, not a reply gap later,
 * while the group carries no more than before.
 */
public final class DiscoveryServer {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryServer.class);

  /** The most unicast answers to newcomers a second, on average; also the largest burst. */
  static final int ANSWERS_PER_SECOND = 64;

  private final DiscoveryConfig config;
  private final EventLoopGroup group;
  private final PeerDirectory directory;
  private final Supplier<String> nickname;
  private final int tcpPort;
  private final SignedDiscovery signer;
  private final InetSocketAddress groupAddress;
  private final TokenBucket answers;

  private volatile Channel receiver;
  private volatile Channel sender;
  private EventLoop loop;

  // Confined to the event loop.
  private long lastReplyNanos;
  private boolean replied;
  private ScheduledFuture<?> pendingReply;
  private boolean handlingAnswer;
  private Predicate<InetAddress> onLink;
  private volatile long announcesSent;
  private volatile long answersSent;
  private volatile boolean leaving;
  private volatile ScheduledFuture<?> ticker;
  private volatile ScheduledFuture<?> sweeper;

  /**
   * Creates the server; {@link #start()} binds it.
   *
   * @param config how to run
   * @param group the event loops to run on (not owned: the caller shuts them down)
   * @param directory where discovered peers go
   * @param nickname our current nickname
   * @param tcpPort the TCP port we announce
   */
  public DiscoveryServer(
      DiscoveryConfig config,
      EventLoopGroup group,
      PeerDirectory directory,
      Supplier<String> nickname,
      int tcpPort) {
    this(config, group, directory, nickname, tcpPort, null);
  }

  /**
   * Creates the server; {@link #start()} binds it.
   *
   * @param config how to run
   * @param group the event loops to run on (not owned: the caller shuts them down)
   * @param directory where discovered peers go
   * @param nickname our current nickname
   * @param tcpPort the TCP port we announce
   * @param signer signs our announces and goodbyes with our identity, or null to send plain ones
   */
  public DiscoveryServer(
      DiscoveryConfig config,
      EventLoopGroup group,
      PeerDirectory directory,
      Supplier<String> nickname,
      int tcpPort,
      SignedDiscovery signer) {
    this(
        config,
        group,
        directory,
        nickname,
        tcpPort,
        signer,
        new TokenBucket(ANSWERS_PER_SECOND, ANSWERS_PER_SECOND));
  }

  /** Creates the server with the given bound on unicast answers, for tests. */
  DiscoveryServer(
      DiscoveryConfig config,
      EventLoopGroup group,
      PeerDirectory directory,
      Supplier<String> nickname,
      int tcpPort,
      SignedDiscovery signer,
      TokenBucket answers) {
    this.signer = signer;
    this.answers = Objects.requireNonNull(answers, "answers");
    this.config = Objects.requireNonNull(config, "config");
    this.group = Objects.requireNonNull(group, "group");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.nickname = Objects.requireNonNull(nickname, "nickname");
    this.tcpPort = Protocol.requireValidPort("tcpPort", tcpPort);
    this.groupAddress = new InetSocketAddress(config.group(), config.port());
  }

  /**
   * Binds both sockets, joins the group, announces us and starts the timers. Must not be called on
   * an event loop.
   *
   * @throws InterruptedException if interrupted while binding
   * @throws java.io.IOException wrapped in an unchecked exception if a socket cannot be bound
   */
  public void start() throws InterruptedException {
    Set<InetAddress> own =
        new HashSet<>(NetworkInterfaces.ipv4Addresses(config.networkInterface()));
    onLink = NetworkInterfaces.onLink(config.networkInterface());
    Bootstrap receiving =
        multicastBootstrap(group)
            .option(ChannelOption.SO_REUSEADDR, true)
            .handler(
                new DiscoveryInitializer(
                    () -> new DiscoveryHandler(directory, own, () -> tcpPort, this::newcomer)));
    NioDatagramChannel rx =
        (NioDatagramChannel)
            receiving.bind(new InetSocketAddress("0.0.0.0", config.port())).sync().channel();
    receiver = rx;
    loop = rx.eventLoop();
    ChannelFuture joined = rx.joinGroup(groupAddress, config.networkInterface()).await();
    if (!joined.isSuccess()) {
      rx.close();
      throw new IllegalStateException(
          "cannot join "
              + Peer.format(groupAddress)
              + " on "
              + config.networkInterface().getName()
              + ": "
              + joined.cause().getMessage(),
          joined.cause());
    }
    Bootstrap sending =
        multicastBootstrap(loop) // the receiver's loop: answers go into its pipeline inline
            .handler(
                new ChannelInitializer<DatagramChannel>() {
                  @Override
                  protected void initChannel(DatagramChannel ch) {
                    ch.pipeline().addLast(DiscoveryInitializer.ENCODER, DiscoveryEncoder.INSTANCE);
                    ch.pipeline().addLast(new ToReceiver());
                  }
                });
    try {
      sender = sending.bind(new InetSocketAddress("0.0.0.0", 0)).sync().channel();
    } catch (RuntimeException e) {
      rx.close();
      throw e;
    }
    LOG.info(
        "Discovery on {} ({}), group {}, announcing TCP port {}",
        config.networkInterface().getName(),
        own,
        Peer.format(groupAddress),
        tcpPort);
    loop.execute(this::announce);
    long interval = config.announceInterval().toNanos();
    ticker = loop.scheduleAtFixedRate(this::announce, interval, interval, TimeUnit.NANOSECONDS);
    long sweep =
        Math.max(
            Duration.ofMillis(50).toNanos(),
            Math.min(Duration.ofSeconds(1).toNanos(), config.peerTimeout().toNanos() / 4));
    sweeper =
        loop.scheduleAtFixedRate(
            () -> directory.expire(Peer.LAN, config.peerTimeout()),
            sweep,
            sweep,
            TimeUnit.NANOSECONDS);
  }

  private Bootstrap multicastBootstrap(EventLoopGroup loops) {
    return new Bootstrap()
        .group(loops)
        .channelFactory(() -> new NioDatagramChannel(InternetProtocolFamily.IPv4))
        .option(
            ChannelOption.RCVBUF_ALLOCATOR,
            new FixedRecvByteBufAllocator(Protocol.MAX_DATAGRAM_BYTES + 1))
        .option(ChannelOption.IP_MULTICAST_IF, config.networkInterface())
        .option(ChannelOption.IP_MULTICAST_TTL, 1)
        .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, false);
  }

  /** Announces us now, on the event loop (e.g. after a nickname change). */
  public void announceNow() {
    EventLoop l = loop;
    if (l != null) {
      l.execute(this::announce);
    }
  }

  /**
   * Answers a newcomer (see the class comment). Runs on the event loop.
   *
   * @param from the socket its announce came from
   * @param signed whether it proved an identity
   */
  void newcomer(InetSocketAddress from, boolean signed) {
    if (signed
        && !handlingAnswer
        && from.getPort() != config.port()
        && onLink.test(from.getAddress())
        && answers.tryTake()) {
      answer(from);
    }
    announceSoon();
  }

  private void answer(InetSocketAddress to) {
    if (sendAnnounce(to)) {
      answersSent++;
    }
  }

  /**
   * Announces us soon to answer a newcomer: now if the last such answer is older than the reply
   * gap, else once the gap is over; several newcomers within one gap share one announce, so a crowd
   * cannot cause a storm. Runs on the event loop.
   */
  void announceSoon() {
    if (pendingReply != null) {
      return;
    }
    long gap = config.replyMinGap().toNanos();
    long since = System.nanoTime() - lastReplyNanos;
    if (!replied || since >= gap) {
      reply();
    } else {
      pendingReply =
          loop.schedule(
              () -> {
                pendingReply = null;
                reply();
              },
              gap - since,
              TimeUnit.NANOSECONDS);
    }
  }

  private void reply() {
    replied = true;
    lastReplyNanos = System.nanoTime();
    announce();
  }

  private void announce() {
    if (sendAnnounce(groupAddress)) {
      announcesSent++;
    }
  }

  /** Sends our announce to the group or to one peer, unless we are leaving or closed. */
  private boolean sendAnnounce(InetSocketAddress to) {
    Channel out = sender;
    if (leaving || out == null || !out.isActive()) {
      return false;
    }
    out.writeAndFlush(new DiscoveryPacket(ourAnnounce(), to))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                LOG.warn(
                    "Cannot send an announce to {}: {}", Peer.format(to), f.cause().toString());
              }
            });
    return true;
  }

  private Announce ourAnnounce() {
    return signer == null
        ? new Announce(nickname.get(), tcpPort)
        : signer.announce(nickname.get(), tcpPort);
  }

  private Goodbye ourGoodbye() {
    return signer == null ? new Goodbye(nickname.get()) : signer.goodbye(nickname.get());
  }

  /**
   * Returns how many announces were sent so far; read on any thread, for tests and stats.
   *
   * @return the count
   */
  public long announcesSent() {
    return announcesSent;
  }

  /**
   * Returns how many newcomers were answered by unicast so far; read on any thread, for tests and
   * stats.
   *
   * @return the count
   */
  public long answersSent() {
    return answersSent;
  }

  /**
   * Returns the local address of the sending socket.
   *
   * @return the address, or null before start
   */
  public InetSocketAddress senderAddress() {
    Channel out = sender;
    return out == null ? null : (InetSocketAddress) out.localAddress();
  }

  /**
   * Sends our goodbye and waits for it to leave, at most the given time; announces nothing after
   * it. Must not be called on an event loop.
   *
   * <p>Every announce is written from the receiver's event loop (timer, reply to a newcomer,
   * nickname change), so the goodbye is written from there too, after announcing is switched off:
   * an announce already on its way leaves before the goodbye, and none follows it. (Written from
   * the caller's thread, a goodbye could overtake an announce in flight, and the peers would list
   * us again until the timeout.)
   *
   * @param timeout how long to wait
   * @return true if it was sent
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean sayGoodbye(Duration timeout) throws InterruptedException {
    Channel out = sender;
    EventLoop l = loop;
    if (out == null || !out.isActive() || l == null) {
      return false;
    }
    ChannelPromise sent = out.newPromise();
    try {
      l.execute(
          () -> {
            leaving = true;
            out.writeAndFlush(new DiscoveryPacket(ourGoodbye(), groupAddress), sent);
          });
    } catch (RejectedExecutionException e) {
      return false;
    }
    return sent.await(timeout.toMillis()) && sent.isSuccess();
  }

  /**
   * Closes both sockets (leaving the group) and waits for them to close, at most the given time.
   *
   * @param timeout how long to wait for each socket
   * @throws InterruptedException if interrupted while waiting
   */
  public void close(Duration timeout) throws InterruptedException {
    Channel rx = receiver;
    Channel tx = sender;
    for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {ticker, sweeper}) {
      if (timer != null) {
        timer.cancel(false);
      }
    }
    EventLoop l = loop;
    if (l != null && !l.isShuttingDown()) {
      l.execute(
          () -> {
            if (pendingReply != null) {
              pendingReply.cancel(false);
              pendingReply = null;
            }
          });
    }
    if (rx != null) {
      rx.close().await(timeout.toMillis());
    }
    if (tx != null) {
      tx.close().await(timeout.toMillis());
    }
  }

  /**
   * Hands what arrives on the sending socket (other peers' answers to our announces) to the
   * receiver's pipeline, on the same event loop, marked as answers: a peer that answered us knows
   * us, so it is not answered by unicast in turn. Logs a failed send and keeps the socket open.
   */
  private final class ToReceiver extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel rx = receiver;
      if (rx == null || !rx.isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      handlingAnswer = true;
      try {
        rx.pipeline().fireChannelRead(msg);
      } finally {
        handlingAnswer = false;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.warn("Discovery send error: {}", cause.toString());
    }
  }
}
