package io.parlance.protocol.codec;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.DiscoveryMessage;
import io.parlance.protocol.wire.DiscoveryPacket;
import java.util.List;

/**
 * Writes a {@link DiscoveryPacket} as one datagram of compact JSON (no newline) to its address,
 * byte-identical to the Rust Parlance.
 */
@Sharable
public final class DiscoveryEncoder extends MessageToMessageEncoder<DiscoveryPacket> {

  /** The shared instance. */
  public static final DiscoveryEncoder INSTANCE = new DiscoveryEncoder();

  private static final ObjectWriter WRITER = WireJson.mapper().writerFor(DiscoveryMessage.class);

  private DiscoveryEncoder() {}

  @Override
  protected void encode(ChannelHandlerContext ctx, DiscoveryPacket packet, List<Object> out) {
    ByteBuf buf = ctx.alloc().buffer(128);
    try {
      WireJson.write(buf, WRITER, packet.message());
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
    out.add(new DatagramPacket(buf, packet.address()));
  }
}
