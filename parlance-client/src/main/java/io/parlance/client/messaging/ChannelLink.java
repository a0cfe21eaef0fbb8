package io.parlance.client.messaging;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** A {@link PeerLink} over a pooled Netty channel; one per channel. */
final class ChannelLink implements PeerLink {

  private static final AttributeKey<ChannelLink> LINK = AttributeKey.valueOf("parlance.link");

  private final Channel channel;
  private final InetSocketAddress address;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private ChannelLink(Channel channel, InetSocketAddress address) {
    this.channel = channel;
    this.address = address;
    channel.closeFuture().addListener(f -> closed.complete(null));
  }

  /** Returns the link of a channel, made on first use, so one connection is always one link. */
  static PeerLink of(Channel channel, InetSocketAddress address) {
    ChannelLink link = channel.attr(LINK).get();
    if (link == null) {
      ChannelLink fresh = new ChannelLink(channel, address);
      link = channel.attr(LINK).setIfAbsent(fresh);
      if (link == null) {
        link = fresh;
      }
    }
    return link;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return address;
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public CompletableFuture<Void> write(ChatLine line) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    channel
        .write(line)
        .addListener(
            w -> {
              if (w.isSuccess()) {
                written.complete(null);
              } else {
                written.completeExceptionally(ConnectionPool.translate(address, w.cause()));
              }
            });
    return written;
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public CompletableFuture<Void> closed() {
    return closed;
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "link " + channel.id().asShortText() + " to " + address;
  }
}
