package io.parlance.client.messaging;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.wire.Ack;
import io.parlance.protocol.wire.PeerLine;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the acknowledgements a peer writes back on our outgoing connection to the {@link
 * AckListener}, and closes the connection when the peer sends too much it was not asked for:
 * acknowledgements of ids we are not waiting for, or chat lines, beyond a budget of {@value
 * #UNMATCHED_BUDGET} more than the acknowledgements it matched. One per channel.
 */
final class AckHandler extends SimpleChannelInboundHandler<PeerLine> {

  /** How many unexpected lines a connection may send beyond the number of matched acks. */
  static final int UNMATCHED_BUDGET = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(AckHandler.class);
  private static final LogLimiter CLOSES = new LogLimiter();

  private final AckListener listener;
  private long matched;
  private long unmatched;

  AckHandler(AckListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  private static InetSocketAddress remote(ChannelHandlerContext ctx) {
    InetSocketAddress relayed = RelaySocket.peerAddress(ctx.channel());
    if (relayed != null) {
      return relayed; // the channel's own remote is the relay server
    }
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, PeerLine line) {
    if (line instanceof Ack ack && listener.acked(remote(ctx), ack.id())) {
      matched++;
      return;
    }
    // A late duplicate ack after a re-send is normal; many with no match are not.
    unmatched++;
    if (unmatched > matched + UNMATCHED_BUDGET) {
      CLOSES.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection to {}: {} unexpected lines (acks of unknown ids or chat"
                      + " lines) against {} matched acks{}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  unmatched,
                  matched,
                  more));
      ctx.close();
    }
  }
}
