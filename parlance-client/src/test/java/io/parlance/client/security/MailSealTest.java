package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.protocol.bootstrap.MailFields;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class MailSealTest {

  private final Identity alice = Identity.generate();
  private final Identity bob = Identity.generate();
  private final Identity mallory = Identity.generate();

  private byte[] aliceToBob(String text) {
    return MailSeal.seal(
        alice, "alice", bob.id().value(), bob.mailKey().publicKey(), "m-1", 1_795_259_504L, text);
  }

  @Test
  void aSealedMessageOpensForItsRecipientWithEveryFieldTheSenderSigned() throws Exception {
    byte[] sealed = aliceToBob("hello bob, ünïcode 👋\nsecond line");

    MailSeal.Letter letter = MailSeal.open(bob, sealed, alice.id().value());

    assertThat(letter.fromId()).isEqualTo(alice.id().value());
    assertThat(letter.fromKey()).isEqualTo(alice.encodedPublicKey());
    assertThat(letter.from()).isEqualTo("alice");
    assertThat(letter.toId()).isEqualTo(bob.id().value());
    assertThat(letter.msg()).isEqualTo("m-1");
    assertThat(letter.timestamp()).isEqualTo(1_795_259_504L);
    assertThat(letter.text()).isEqualTo("hello bob, ünïcode 👋\nsecond line");
  }

  @Test
  void theSealedBytesHoldNoTextAndTheirSizeIsPadded() {
    byte[] short1 = aliceToBob("hi");
    byte[] short2 = aliceToBob("hi there, a few more words");
    String text = "a secret that must not show";
    byte[] sealed = aliceToBob(text);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("secret");
    assertThat(short1.length).isEqualTo(short2.length);
    // 32 bytes of encapsulated key, the padded plaintext and a 16-byte tag.
    assertThat((sealed.length - 32 - 16) % MailSeal.PAD).isZero();
    assertThat(aliceToBob("hi")).isNotEqualTo(short1); // a fresh ephemeral key each time
  }

  @Test
  void theMailKeyIsTheSameForTheSameIdentityAndItsBindingVerifies() {
    MailKey key = bob.mailKey();
    assertThat(Base64.getDecoder().decode(key.publicKey())).hasSize(32);
    assertThat(
            MailFields.mailKeyProblem(
                bob.id().value(), bob.encodedPublicKey(), key.publicKey(), key.binding()))
        .isEmpty();
    assertThat(
            MailFields.mailKeyProblem(
                bob.id().value(),
                bob.encodedPublicKey(),
                mallory.mailKey().publicKey(),
                key.binding()))
        .isPresent();
    assertThat(
            MailFields.mailKeyProblem(
                bob.id().value(),
                bob.encodedPublicKey(),
                mallory.mailKey().publicKey(),
                mallory.mailKey().binding()))
        .isPresent();
    assertThat(alice.mailKey().publicKey()).isNotEqualTo(key.publicKey());
  }

  @Test
  void aTamperedSealIsRefusedWhereverTheByteIs() {
    byte[] sealed = aliceToBob("hello");
    for (int i : new int[] {0, 31, 32, sealed.length / 2, sealed.length - 1}) {
      byte[] bad = sealed.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> MailSeal.open(bob, bad, alice.id().value()))
          .isInstanceOf(MailSeal.SealException.class)
          .hasMessageContaining("does not open");
    }
    byte[] cut = java.util.Arrays.copyOf(sealed, sealed.length - 1);
    assertThatThrownBy(() -> MailSeal.open(bob, cut, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class);
    assertThatThrownBy(() -> MailSeal.open(bob, new byte[10], alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void aSealForAnotherPeerDoesNotOpen() {
    byte[] sealed = aliceToBob("for bob only");
    assertThatThrownBy(() -> MailSeal.open(mallory, sealed, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class)
        .hasMessageContaining("does not open");
  }

  @Test
  void aLetterAddressedToAnotherIdSealedToOurKeyIsRefused() {
    // Sealed to bob's key but saying it is for mallory: the associated data and to_id disagree.
    MailSeal.Inner inner = signed(alice, "alice", mallory.id().value(), "m-2", "hi");
    byte[] sealed = MailSeal.sealInner(inner, bob.mailKey().publicKey());
    assertThatThrownBy(() -> MailSeal.open(bob, sealed, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class);
  }

  @Test
  void aForgedSenderIsRefused() {
    // Mallory claims alice's id and key but can only sign with her own key.
    String toId = bob.id().value();
    long ts = 1_795_259_504L;
    String sig =
        Base64.getEncoder()
            .encodeToString(
                mallory.sign(
                    MailSeal.signedPayload(alice.id().value(), toId, "m-3", ts, "alice", "pay")));
    MailSeal.Inner forged =
        new MailSeal.Inner(
            "alice", alice.id().value(), alice.encodedPublicKey(), toId, "m-3", ts, "pay", sig);
    byte[] sealed = MailSeal.sealInner(forged, bob.mailKey().publicKey());
    assertThatThrownBy(() -> MailSeal.open(bob, sealed, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class)
        .hasMessageContaining("signature");

    // Her own key under alice's id does not hash to the id.
    MailSeal.Inner ownKey =
        new MailSeal.Inner(
            "alice", alice.id().value(), mallory.encodedPublicKey(), toId, "m-3", ts, "pay", sig);
    byte[] sealed2 = MailSeal.sealInner(ownKey, bob.mailKey().publicKey());
    assertThatThrownBy(() -> MailSeal.open(bob, sealed2, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void anHonestLetterDepositedUnderAnotherIdIsRefused() {
    byte[] sealed =
        MailSeal.seal(
            mallory, "mallory", bob.id().value(), bob.mailKey().publicKey(), "m-4", 1L, "hi");
    assertThatThrownBy(() -> MailSeal.open(bob, sealed, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class)
        .hasMessageContaining("deposited by another peer");
  }

  @Test
  void changedSignedFieldsBreakTheSignature() {
    MailSeal.Inner inner = signed(alice, "alice", bob.id().value(), "m-5", "original");
    MailSeal.Inner edited =
        new MailSeal.Inner(
            inner.from(),
            inner.fromId(),
            inner.fromKey(),
            inner.toId(),
            inner.msg(),
            inner.ts() + 1,
            inner.text(),
            inner.sig());
    byte[] sealed = MailSeal.sealInner(edited, bob.mailKey().publicKey());
    assertThatThrownBy(() -> MailSeal.open(bob, sealed, alice.id().value()))
        .isInstanceOf(MailSeal.SealException.class)
        .hasMessageContaining("signature");
  }

  private static MailSeal.Inner signed(
      Identity from, String nickname, String toId, String msg, String text) {
    long ts = 1_795_259_504L;
    String sig =
        Base64.getEncoder()
            .encodeToString(
                from.sign(
                    MailSeal.signedPayload(from.id().value(), toId, msg, ts, nickname, text)));
    return new MailSeal.Inner(
        nickname, from.id().value(), from.encodedPublicKey(), toId, msg, ts, text, sig);
  }
}
