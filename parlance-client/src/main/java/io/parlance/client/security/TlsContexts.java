package io.parlance.client.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.Certificate;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * TLS 1.3 between Parlance peers, both sides presenting the self-signed certificate of their
 * identity key. Certificates are not checked against any authority: the handshake proves that each
 * side holds the private key of its certificate, and the caller then compares the certificate's
 * {@link PeerId} with the id the peer announced ({@link #peerId}) before any message is exchanged.
 */
public final class TlsContexts {

  private static final String TLS_13 = "TLSv1.3";

  private TlsContexts() {}

  /**
   * Builds the context for accepting connections; the client must present a certificate.
   *
   * @param identity our identity
   * @return the server context
   */
  public static SslContext server(Identity identity) {
    try {
      return SslContextBuilder.forServer(new IdentityKeyManager(identity))
          .sslProvider(SslProvider.JDK)
          .protocols(TLS_13)
          .clientAuth(ClientAuth.REQUIRE)
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS server context", e);
    }
  }

  /**
   * Builds the context for opening connections.
   *
   * @param identity our identity
   * @return the client context
   */
  public static SslContext client(Identity identity) {
    try {
      return SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .protocols(TLS_13)
          .keyManager(new IdentityKeyManager(identity))
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS client context", e);
    }
  }

  /**
   * Returns the id proven by the other side of a completed handshake.
   *
   * @param ssl the channel's TLS handler, after its handshake succeeded
   * @return the id of the key the peer proved it holds, or empty if it presented none
   */
  public static Optional<PeerId> peerId(SslHandler ssl) {
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length == 0 ? Optional.empty() : Optional.of(PeerId.of(chain[0].getPublicKey()));
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}
