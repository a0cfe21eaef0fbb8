package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {

  @TempDir Path dir;

  @Test
  void aProfileGetsAKeyOnFirstStartKeptOwnerOnlyAndTheSameIdAfterwards() throws Exception {
    Path profile = dir.resolve("profiles/alice");
    Identity first = Identity.loadOrCreate(profile);
    Path key = profile.resolve(Identity.KEY_FILE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(profile)))
        .isEqualTo("rwx------");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

    Identity again = Identity.loadOrCreate(profile);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.publicKey()).isEqualTo(first.publicKey());
    assertThat(Identity.loadOrCreate(dir.resolve("profiles/bob")).id()).isNotEqualTo(first.id());
  }

  @Test
  void aKeyFileOthersCanReadIsRefusedWithTheFix() throws Exception {
    Identity.loadOrCreate(dir);
    Path key = dir.resolve(Identity.KEY_FILE);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> Identity.loadOrCreate(dir))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("can be read by other users (mode rw-r--r--)")
        .hasMessageContaining("chmod 600 " + key);
  }

  @Test
  void aCorruptKeyFileIsRefusedAndLeftInPlace() throws Exception {
    Path key = dir.resolve(Identity.KEY_FILE);
    Files.writeString(
        key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> Identity.loadOrCreate(dir))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("is corrupt")
        .hasMessageContaining("move it away");
    Files.writeString(key, "garbage");
    assertThatThrownBy(() -> Identity.loadOrCreate(dir)).hasMessageContaining("is corrupt");
    assertThat(Files.readString(key)).isEqualTo("garbage");
  }

  @Test
  void signaturesVerifyOnlyWithTheSignersKeyAndUntouchedData() {
    Identity alice = Identity.generate();
    Identity mallory = Identity.generate();
    byte[] data = "announce alice 5000".getBytes(StandardCharsets.UTF_8);
    byte[] signature = alice.sign(data);

    assertThat(Identity.verify(alice.publicKey(), data, signature)).isTrue();
    assertThat(Identity.verify(mallory.publicKey(), data, signature)).isFalse();
    assertThat(
            Identity.verify(
                alice.publicKey(),
                "announce alice 5001".getBytes(StandardCharsets.UTF_8),
                signature))
        .isFalse();
    assertThat(Identity.verify(alice.publicKey(), data, new byte[64])).isFalse();
    assertThat(Identity.verify(alice.publicKey(), data, new byte[3])).isFalse();
  }

  @Test
  void signaturesAndKeysAgreeWithTheJdksEd25519AlsoAfterReloading() throws Exception {
    Path profile = dir.resolve("profiles/carol");
    Identity made = Identity.loadOrCreate(profile);
    Identity reloaded = Identity.loadOrCreate(profile);
    byte[] data = "announce carol 5000".getBytes(StandardCharsets.UTF_8);

    // Signed with Bouncy Castle, checked by the JDK: the key pair is one key pair.
    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initVerify(made.publicKey());
    jdk.update(data);
    assertThat(jdk.verify(made.sign(data))).isTrue();

    // Ed25519 is deterministic: the JDK, with the private key TLS uses, signs the same bytes.
    jdk.initSign(reloaded.privateKey());
    jdk.update(data);
    assertThat(jdk.sign()).isEqualTo(made.sign(data)).isEqualTo(reloaded.sign(data));
  }

  @Test
  void thePublicKeyTravelsAsBase64AndGivesTheSameId() {
    Identity alice = Identity.generate();
    assertThat(PeerId.of(Identity.decodePublicKey(alice.encodedPublicKey()))).isEqualTo(alice.id());
    assertThatThrownBy(() -> Identity.decodePublicKey("not base64!"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theCertificateCarriesTheIdentityKey() {
    Identity alice = Identity.generate();
    assertThat(alice.certificate().getPublicKey()).isEqualTo(alice.publicKey());
    assertThat(alice.certificate().getSubjectX500Principal().getName())
        .contains(alice.id().value());
  }

  @Test
  void theCertificateIsSignedByTheIdentityKeyAsTheJdkChecksIt() throws Exception {
    Identity alice = Identity.generate();
    Identity bob = Identity.generate();
    java.security.cert.X509Certificate cert = alice.certificate();
    assertThat(cert.getSigAlgName()).isEqualTo("Ed25519");
    assertThat(cert.getSigAlgOID()).isEqualTo("1.3.101.112");
    cert.verify(alice.publicKey()); // throws if the signature does not match
    cert.checkValidity();
    assertThatThrownBy(() -> cert.verify(bob.publicKey()))
        .isInstanceOf(java.security.SignatureException.class);
  }
}
