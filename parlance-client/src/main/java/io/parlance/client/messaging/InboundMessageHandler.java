package io.parlance.client.messaging;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.ChatLine;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each chat line received on an inbound connection to the {@link InboundSink}; closes the
 * connection, with a log line naming it, on bad input, on an error or when it has been idle. One
 * shared instance per server.
 */
@Sharable
public final class InboundMessageHandler extends SimpleChannelInboundHandler<ChatLine> {

  private static final Logger LOG = LoggerFactory.getLogger(InboundMessageHandler.class);

  /** Bad input from the network: one short line each, rate-limited. */
  private static final LogLimiter BAD_INPUT = new LogLimiter();

  /** Errors that are not about the input: with the stack trace, rate-limited too. */
  private static final LogLimiter ERRORS = new LogLimiter();

  private final InboundSink sink;

  /**
   * Creates the handler.
   *
   * @param sink where chat lines go
   */
  public InboundMessageHandler(InboundSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ChatLine line) {
    sink.received(line, ctx.channel());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String id = ctx.channel().id().asShortText();
    Object remote = ctx.channel().remoteAddress();
    if (cause instanceof ProtocolException p) {
      BAD_INPUT.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {}: {} ({}){}",
                  id,
                  remote,
                  LogLimiter.oneLine(p.getMessage()),
                  p.kind(),
                  more));
    } else if (Disconnects.isOrdinary(cause)) {
      LOG.debug("[{}] Connection from {} ended: {}", id, remote, cause.toString());
    } else if (Disconnects.isBadInput(cause)) {
      // Undecodable bytes (a failed TLS handshake, garbage after 0x16): one line, no stack trace
      // and no hex dump of what the peer sent.
      BAD_INPUT.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {}: unreadable input: {}{}",
                  id,
                  remote,
                  LogLimiter.describe(cause),
                  more));
    } else {
      ERRORS.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {} after an error{}", id, remote, more, cause));
    }
    ctx.close();
  }
}
