package io.parlance.client.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
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
    // Netty's JDK context wrapped around a JDK SSLContext made here, not SslContextBuilder's: the
    // builder's server class probes once per JVM, in its static initialiser, whether it may wrap
    // trust managers, by parsing a private key with Bouncy Castle's JCA provider, which it
    // constructs for that (some hundred classes and every algorithm registered: CPU a start on two
    // cores cannot spare). Our trust manager accepts any certificate, so needs no such wrapping.
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          new KeyManager[] {new IdentityKeyManager(identity)},
          InsecureTrustManagerFactory.INSTANCE.getTrustManagers(),
          null);
      return new JdkSslContext(
          context,
          false,
          null,
          IdentityCipherSuiteFilter.INSTANCE,
          null,
          ClientAuth.REQUIRE,
          new String[] {TLS_13},
          false);
    } catch (GeneralSecurityException e) {
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
