package io.parlance.client.messaging;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.TlsContexts;
import java.util.Optional;

/**
 * What the messaging pipelines know of a connection's security: the id an outgoing connection must
 * reach, and the id the other side proved in its TLS handshake.
 */
public final class PeerTls {

  /** On an outgoing connection: the id the peer announced, which its certificate must match. */
  static final AttributeKey<PeerId> EXPECTED_PEER = AttributeKey.valueOf("parlance.expectedPeer");

  /** The id proven by the TLS handshake, cached once known. */
  private static final AttributeKey<PeerId> PROVEN_PEER =
      AttributeKey.valueOf("parlance.provenPeer");

  private PeerTls() {}

  /**
   * Returns the id an outgoing connection must reach, without creating the attribute: a channel
   * asked before its pipeline is built must still be plain if it was made plain.
   *
   * @param channel the connection
   * @return the id, or null for a plain connection
   */
  static PeerId expectedPeer(Channel channel) {
    return channel.hasAttr(EXPECTED_PEER) ? channel.attr(EXPECTED_PEER).get() : null;
  }

  /**
   * Returns the id the other side of a connection proved, if the connection is TLS and its
   * handshake has completed.
   *
   * @param channel the connection
   * @return the proven id, or empty for a plain connection
   */
  public static Optional<PeerId> provenPeer(Channel channel) {
    PeerId cached = channel.attr(PROVEN_PEER).get();
    if (cached != null) {
      return Optional.of(cached);
    }
    SslHandler ssl = handler(channel);
    if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
      return Optional.empty();
    }
    Optional<PeerId> proven = TlsContexts.peerId(ssl);
    proven.ifPresent(id -> channel.attr(PROVEN_PEER).set(id));
    return proven;
  }

  /**
   * Returns the peer-to-peer TLS handler of a connection, found by its name: a relayed connection
   * has another one below it, the TLS to the relay server.
   *
   * @param channel the connection
   * @return the handler, or null on a plain connection
   */
  static SslHandler handler(Channel channel) {
    return channel.pipeline().get(MessagingPipeline.TLS) instanceof SslHandler ssl ? ssl : null;
  }

  /**
   * The TLS contexts of a node, and whether it refuses plain peers.
   *
   * @param server accepts TLS connections, requiring the client's certificate (perhaps still being
   *     built)
   * @param client opens TLS connections with our certificate (perhaps still being built)
   * @param required true to refuse plain connections in both directions
   */
  public record Contexts(PendingTls server, PendingTls client, boolean required) {

    /**
     * The contexts of a node, both already built.
     *
     * @param server accepts TLS connections, requiring the client's certificate
     * @param client opens TLS connections with our certificate
     * @param required true to refuse plain connections in both directions
     */
    public Contexts(SslContext server, SslContext client, boolean required) {
      this(PendingTls.of(server), PendingTls.of(client), required);
    }
  }
}
