package io.parlance.client.messaging;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.codec.LineFrameDecoder.RefusedLine;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges a connection by its lines: passes each valid chat line on (and tells the connection limit
 * it delivered one) until the first bad one, and drops every line after it, so nothing a connection
 * sends once it is judged bad is stored, acknowledged or shown, whether it came in the same read or
 * was still buffered when the connection closed. Lines before the bad one were whole and valid and
 * stay delivered: where a read ends is chance, not a verdict. A line the framer refused (too long,
 * or over the bytes its address may buffer) is reported to the {@link InboundRefusals}. One per
 * channel.
 */
final class LineGate extends ChannelInboundHandlerAdapter {

  private final ConnectionLimitHandler connectionLimit;
  private final InboundRefusals refusals;
  private boolean closed;

  LineGate(ConnectionLimitHandler connectionLimit, InboundRefusals refusals) {
    this.connectionLimit = Objects.requireNonNull(connectionLimit, "connectionLimit");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ChatLine) {
      connectionLimit.lineDelivered(ctx.channel());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closed = true;
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof RefusedLine refused) {
      refusals.refused(
          new InboundRefusals.Refusal(
              senderOf(refused.head()),
              ctx.channel().remoteAddress(),
              refused.bytes(),
              refused.atLeast(),
              refused.reason()),
          ctx.channel().id().asShortText());
    }
    super.userEventTriggered(ctx, evt);
  }

  /**
   * Returns the sender a refused line names in its first bytes, if they hold a valid nickname as
   * the first field (as Parlance peers write it), else null.
   */
  static String senderOf(byte[] head) {
    Matcher m = LEADING_FROM.matcher(new String(head, StandardCharsets.UTF_8));
    if (!m.lookingAt()) {
      return null;
    }
    String nickname = m.group(1);
    return Nickname.isValid(nickname) ? nickname : null;
  }

  /** A line that starts with its {@code from} field, JSON whitespace allowed, no escapes in it. */
  private static final Pattern LEADING_FROM =
      Pattern.compile(
          "[ \\t\\r\\n]*\\{[ \\t\\r\\n]*\"from\"[ \\t\\r\\n]*:[ \\t\\r\\n]*\"([^\"\\\\]*)\"");
}
