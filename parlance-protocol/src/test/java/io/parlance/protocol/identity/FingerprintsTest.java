package io.parlance.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

class FingerprintsTest {

  @Test
  void anIdIsTheBase32OfTheSha256OfTheEncodingInGroupsOfFour() {
    // base32(sha256("")) = 4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ
    assertThat(Fingerprints.of(new byte[0]))
        .isEqualTo("4OYM-IQUY-7QOB-JGX3-6TEJ-S35Z-EQT2-4QPE-MSNZ-GTFE-SWMR-W6CS-XBKQ");
    assertThat(Fingerprints.of("parlance".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("KNEX-U5ZI-FHWW-E36D-2ZMV-IUD6-R6B3-A6GU-75NF-4OPC-XFUP-OOV4-VYGA");
  }

  @Test
  void theIdOfAKeyIsTheIdOfItsX509Encoding() throws Exception {
    PublicKey key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    String id = Fingerprints.of(key);
    assertThat(id).isEqualTo(Fingerprints.of(key.getEncoded()));
    assertThat(id).matches("([A-Z2-7]{4}-){12}[A-Z2-7]{4}").hasSize(Fingerprints.CANONICAL_CHARS);
    assertThat(Fingerprints.isCanonical(id)).isTrue();
  }

  @Test
  void parsingAcceptsWhatPeopleTypeAndGivesTheCanonicalForm() {
    String id = Fingerprints.of(new byte[0]);
    assertThat(Fingerprints.parse(id.toLowerCase().replace("-", " "))).isEqualTo(id);
    assertThat(Fingerprints.parse(id.replace("-", ""))).isEqualTo(id);
  }

  @Test
  void malformedAndNonCanonicalIdsAreRejected() {
    String id = Fingerprints.of(new byte[0]);
    assertThat(Fingerprints.isCanonical(null)).isFalse();
    assertThat(Fingerprints.isCanonical(id.toLowerCase())).isFalse();
    assertThat(Fingerprints.isCanonical(id.replace("-", ""))).isFalse();
    assertThat(Fingerprints.isCanonical(id.substring(1) + "A")).isFalse();
    assertThat(Fingerprints.isCanonical("1".repeat(Fingerprints.CANONICAL_CHARS))).isFalse();
    assertThatThrownBy(() -> Fingerprints.parse("ABCD"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a Parlance peer id");
    assertThatThrownBy(() -> Fingerprints.requireCanonical("A".repeat(52)))
        .hasMessageContaining("canonical form");
    assertThatThrownBy(() -> Fingerprints.requireCanonical("x".repeat(10_000)))
        .hasMessageContaining("not a Parlance peer id")
        .hasMessageEndingWith("...");
  }
}
