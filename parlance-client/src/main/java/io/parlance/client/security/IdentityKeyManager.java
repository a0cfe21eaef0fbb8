package io.parlance.client.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Hands TLS our identity's key and self-signed certificate directly. A key store would do the same
 * but protects the key with a password-based cipher on every build of a context (tens of
 * milliseconds of key derivation), and a node builds its contexts at every start.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "parlance";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  IdentityKeyManager(Identity identity) {
    this.key = identity.privateKey();
    this.chain = new X509Certificate[] {identity.certificate()};
  }

  /** Whether TLS asks for a key of our kind ("EdDSA" or "Ed25519", as providers name it). */
  private boolean ours(String keyType) {
    if (keyType == null) {
      return false;
    }
    String wanted = keyType.toUpperCase(Locale.ROOT);
    String have = key.getAlgorithm().toUpperCase(Locale.ROOT);
    return wanted.equals(have) || (edwards(wanted) && edwards(have));
  }

  private static boolean edwards(String algorithm) {
    return algorithm.equals("EDDSA") || algorithm.equals("ED25519");
  }

  private String[] aliases(String keyType) {
    return ours(keyType) ? new String[] {ALIAS} : null;
  }

  private String choose(String[] keyTypes) {
    if (keyTypes != null) {
      for (String keyType : keyTypes) {
        if (ours(keyType)) {
          return ALIAS;
        }
      }
    }
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return choose(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return choose(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ours(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ours(keyType) ? ALIAS : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
