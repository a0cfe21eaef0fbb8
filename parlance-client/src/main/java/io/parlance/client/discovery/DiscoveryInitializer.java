package io.parlance.client.discovery;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramChannel;
import io.parlance.protocol.codec.DiscoveryDecoder;
import io.parlance.protocol.codec.DiscoveryEncoder;
import java.util.function.Supplier;

/**
 * Builds the discovery pipeline: {@link DiscoveryDecoder} → {@link DiscoveryEncoder} → {@link
 * DiscoveryHandler}. The socket's receive buffer is one byte larger than the datagram limit, so the
 * decoder sees an oversize datagram as oversize rather than truncated.
 */
final class DiscoveryInitializer extends ChannelInitializer<DatagramChannel> {

  /** Name of the datagram decoder. */
  static final String DECODER = "discoveryDecoder";

  /** Name of the datagram encoder. */
  static final String ENCODER = "discoveryEncoder";

  /** Name of the logic handler. */
  static final String HANDLER = "discoveryHandler";

  private final Supplier<DiscoveryHandler> handlers;

  DiscoveryInitializer(Supplier<DiscoveryHandler> handlers) {
    this.handlers = handlers;
  }

  @Override
  protected void initChannel(DatagramChannel ch) {
    ch.pipeline()
        .addLast(DECODER, DiscoveryDecoder.INSTANCE)
        .addLast(ENCODER, DiscoveryEncoder.INSTANCE)
        .addLast(HANDLER, handlers.get());
  }
}
