package io.parlance.client.messaging;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.parlance.protocol.LogLimiter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a TLS connection from a plain Parlance one by its first byte, and sets up the pipeline for
 * it: a TLS record starts with 0x16 (handshake), a plain chat line with {@code {}. On TLS it puts
 * the {@link io.netty.handler.ssl.SslHandler} in its place; on plain it steps aside, unless
 * encryption is required, when it closes the connection and says why in the log.
 */
final class TlsDetector extends ByteToMessageDecoder {

  private static final Logger LOG = LoggerFactory.getLogger(TlsDetector.class);
  private static final LogLimiter REFUSALS = new LogLimiter();

  /** The content type of a TLS handshake record. */
  static final int TLS_HANDSHAKE = 0x16;

  private final PendingTls server;
  private final boolean required;
  private boolean waiting;

  TlsDetector(SslContext server, boolean required) {
    this(PendingTls.of(server), required);
  }

  TlsDetector(PendingTls server, boolean required) {
    this.server = server;
    this.required = required;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    if (in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE) {
      if (!server.isReady()) {
        waitForTheContext(ctx);
        return; // the bytes stay in this decoder's buffer until the context is built
      }
      ctx.pipeline()
          .addAfter(ctx.name(), MessagingPipeline.TLS, server.get().newHandler(ctx.alloc()));
      ctx.pipeline().remove(this);
    } else if (required) {
      REFUSALS.log(
          more ->
              LOG.warn(
                  "[{}] Refused a plain connection from {}: encryption is required"
                      + " (--require-encryption){}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  more));
      in.skipBytes(in.readableBytes());
      ctx.close();
    } else {
      ctx.pipeline().remove(this);
    }
  }

  /**
   * A TLS client that came while the node was still building its context (just after the start):
   * stops reading until it is built, then decodes again what came, without blocking the loop.
   */
  private void waitForTheContext(ChannelHandlerContext ctx) {
    if (waiting) {
      return;
    }
    waiting = true;
    ReadPauses.pause(ctx.channel(), ReadPauses.TLS);
    server.whenReady(
        () -> {
          waiting = false;
          if (ctx.isRemoved() || !ctx.channel().isOpen()) {
            return;
          }
          ReadPauses.resume(ctx.channel(), ReadPauses.TLS);
          try {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
          } catch (Exception e) {
            ctx.fireExceptionCaught(e);
          }
        },
        ctx.executor());
  }
}
