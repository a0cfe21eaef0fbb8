package io.parlance.protocol.codec;

import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.DiscoveryMessage;
import io.parlance.protocol.wire.DiscoveryPacket;
import java.util.List;

/**
 * Turns one datagram into a {@link DiscoveryPacket}; a bad datagram raises a {@link
 * ProtocolException} naming its sender, and the channel keeps serving.
 */
@Sharable
public final class DiscoveryDecoder extends MessageToMessageDecoder<DatagramPacket> {

  /** The shared instance, accepting datagrams up to {@link Protocol#MAX_DATAGRAM_BYTES}. */
  public static final DiscoveryDecoder INSTANCE = new DiscoveryDecoder(Protocol.MAX_DATAGRAM_BYTES);

  private static final ObjectReader READER = WireJson.mapper().readerFor(DiscoveryMessage.class);

  private final int maxDatagramBytes;

  /**
   * Creates a decoder with its own size limit.
   *
   * @param maxDatagramBytes the largest datagram accepted, in bytes
   */
  public DiscoveryDecoder(int maxDatagramBytes) {
    this.maxDatagramBytes = maxDatagramBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
    int size = packet.content().readableBytes();
    try {
      if (size > maxDatagramBytes) {
        throw new ProtocolException(
            ProtocolError.DATAGRAM_TOO_LARGE,
            size + " bytes is over the limit of " + maxDatagramBytes + " bytes");
      }
      DiscoveryMessage message = WireJson.read(packet.content(), READER);
      out.add(new DiscoveryPacket(message, packet.sender()));
    } catch (ProtocolException e) {
      throw e.from("datagram from " + packet.sender());
    }
  }
}
