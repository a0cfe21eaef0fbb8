package io.parlance.bootstrap;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.parlance.protocol.LogLimiter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts each connection, from its accept until its request is complete, against the IP of its TCP
 * peer, and closes one over the limit at once, before any byte of it is parsed; so one address
 * trickling request headers holds a few sockets, not every file the server may open.
 *
 * <p>A connection stops counting when {@link #release} is called (its WebSocket upgrade request is
 * complete and goes on to the per-IP WebSocket limit), or when it closes. Behind a trusted proxy
 * every client has the proxy's address, so the limit is not applied there; the request deadline
 * still is.
 */
@Sharable
final class PendingLimiter extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(PendingLimiter.class);
  private static final LogLimiter REFUSALS = new LogLimiter();

  /** Ends the counting of a connection; set while it counts. */
  private static final AttributeKey<Runnable> RELEASE = AttributeKey.valueOf("parlance.pending");

  /** What an over-limit client reads before the close, on a plain (not TLS) port. */
  private static final byte[] REFUSAL =
      ("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
              + "Content-Length: 67\r\nConnection: close\r\n\r\n"
              + "{\"error\":\"too many unfinished connections from your address; retry\"}")
          .getBytes(StandardCharsets.US_ASCII);

  private final ServerState state;
  private final ConcurrentHashMap<InetAddress, Integer> pending = new ConcurrentHashMap<>();

  PendingLimiter(ServerState state) {
    this.state = state;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    int limit = state.config.maxPendingPerIp();
    if (state.config.trustProxy() || !(ch.remoteAddress() instanceof InetSocketAddress remote)) {
      ctx.fireChannelActive();
      return;
    }
    InetAddress ip = remote.getAddress();
    boolean[] admitted = new boolean[1];
    pending.compute(
        ip,
        (k, n) -> {
          int count = n == null ? 0 : n;
          if (count < limit) {
            admitted[0] = true;
            return count + 1;
          }
          return n;
        });
    if (!admitted[0]) {
      state.metrics.pendingLimitClosed.increment();
      REFUSALS.log(
          more ->
              LOG.info(
                  "[id: 0x{}] Closed a connection from {}: it has {} unfinished already{}",
                  ch.id().asShortText(),
                  ip.getHostAddress(),
                  limit,
                  more));
      if (state.config.sslContext() == null) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.close();
      }
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    Runnable release =
        () -> {
          if (done.compareAndSet(false, true)) {
            pending.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
          }
        };
    ch.attr(RELEASE).set(release);
    ch.closeFuture().addListener(f -> release.run());
    ctx.fireChannelActive();
  }

  /**
   * Stops counting a connection against its address; does nothing if it no longer counts.
   *
   * @param ch the connection
   */
  static void release(Channel ch) {
    Runnable release = ch.attr(RELEASE).getAndSet(null);
    if (release != null) {
      release.run();
    }
  }

  /**
   * Returns how many addresses have unfinished connections, for tests.
   *
   * @return the count
   */
  int addresses() {
    return pending.size();
  }
}
