package io.parlance.bootstrap.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of a {@link RelayFrames#PATH} WebSocket: its first frame must be a {@code relay_join}
 * with a live token, within the join timeout; anything else closes it with 1008. Once joined, it
 * lets the session's {@link RelayForwarder} have the binary frames, which must not come before
 * {@code relay_paired}.
 */
public final class RelayJoinHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(RelayJoinHandler.class);

  private final RelayBroker broker;
  private boolean joined;
  private boolean refused;
  private ScheduledFuture<?> deadline;

  /**
   * Creates the handler of one relay WebSocket.
   *
   * @param broker the broker
   */
  public RelayJoinHandler(RelayBroker broker) {
    this.broker = broker;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!joined) {
                    refuse(ctx, "no relay_join in time");
                  }
                },
                broker.limits().joinTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (joined) {
      if (ctx.pipeline().get(RelayBroker.FORWARDER) == null) {
        ReferenceCountUtil.release(msg);
        refuse(ctx, "nothing may be sent before relay_paired");
        return;
      }
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof RelayFrames.Join join) {
      joined = true;
      deadline.cancel(false);
      Optional<String> refusal = broker.join(join, ctx.channel());
      refusal.ifPresent(why -> refuse(ctx, why));
      return;
    }
    if (msg instanceof WebSocketFrame) {
      ReferenceCountUtil.release(msg);
    }
    refuse(ctx, "the first frame on " + RelayFrames.PATH + " must be relay_join");
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    LOG.debug("[id: 0x{}] Relay refused: {}", ctx.channel().id().asShortText(), why);
    if (refused) {
      return;
    }
    refused = true;
    joined = true;
    ctx.writeAndFlush(new ServerFrame.Error(RelayFrames.REFUSED, why));
    RelayBroker.closeWith(ctx.channel(), BootstrapProtocol.CLOSE_POLICY_VIOLATION, why);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException bad) {
      refuse(ctx, bad.getMessage());
      return;
    }
    LOG.debug(
        "[id: 0x{}] Relay connection: {}", ctx.channel().id().asShortText(), cause.toString());
    ctx.close();
  }
}
