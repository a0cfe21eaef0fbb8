package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentityKeyManagerTest {

  private final Identity identity = Identity.generate();
  private final IdentityKeyManager keys = new IdentityKeyManager(identity);

  @Test
  void offersTheIdentityOnlyForAnEdwardsCurveKeyType() {
    assertThat(keys.chooseEngineServerAlias("EdDSA", null, null)).isEqualTo("parlance");
    assertThat(keys.chooseEngineServerAlias("Ed25519", null, null)).isEqualTo("parlance");
    assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
    assertThat(keys.chooseEngineServerAlias(null, null, null)).isNull();
    assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC", "EdDSA"}, null, null))
        .isEqualTo("parlance");
    assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null)).isNull();
    assertThat(keys.getServerAliases("EC", null)).isNull();
    assertThat(keys.getClientAliases("EdDSA", null)).containsExactly("parlance");
  }

  @Test
  void givesTheIdentitysKeyAndSelfSignedCertificate() {
    assertThat(keys.getPrivateKey("parlance")).isSameAs(identity.privateKey());
    assertThat(keys.getCertificateChain("parlance")).containsExactly(identity.certificate());
    assertThat(keys.getPrivateKey("other")).isNull();
    assertThat(keys.getCertificateChain("other")).isNull();
  }
}
