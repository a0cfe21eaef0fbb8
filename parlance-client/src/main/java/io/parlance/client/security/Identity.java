package io.parlance.client.security;

import io.parlance.protocol.identity.Signatures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.operator.ContentSigner;

/**
 * A profile's long-lived Ed25519 key pair, its {@link PeerId} and a self-signed certificate made
 * from it for TLS. The private key is kept in {@code identity.key} (PKCS#8 PEM, mode 0600) in the
 * profile's directory; a key file that others can read, or that is corrupt, is refused.
 */
public final class Identity {

  /** The key file's name in the profile directory. */
  public static final String KEY_FILE = "identity.key";

  private static final String ALGORITHM = "Ed25519";
  private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PEM_END = "-----END PRIVATE KEY-----";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair keys;
  private final Ed25519PrivateKeyParameters signingKey;
  private final PeerId id;
  private X509Certificate certificate; // guarded by this; made on first use, for TLS
  private volatile MailKey mailKey;

  /**
   * Makes the identity of a 32-byte Ed25519 private key (RFC 8032's seed). Bouncy Castle derives
   * the public key and signs; the JDK's key objects are kept for TLS and the key file.
   */
  private Identity(byte[] seed) throws GeneralSecurityException {
    this.signingKey = new Ed25519PrivateKeyParameters(seed, 0);
    byte[] raw = signingKey.generatePublicKey().getEncoded();
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + raw.length];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
    KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
    this.keys =
        new KeyPair(
            factory.generatePublic(new X509EncodedKeySpec(spki)),
            factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed)));
    this.id = PeerId.of(keys.getPublic());
  }

  /**
   * Makes a new identity that lives only in memory.
   *
   * @return the identity
   */
  public static Identity generate() {
    byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
    RANDOM.nextBytes(seed);
    try {
      return new Identity(seed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make Ed25519 keys (Java 15+ can)", e);
    }
  }

  /**
   * Loads the identity of a profile directory, creating it (and the directory, mode 0700) on first
   * use.
   *
   * @param profileDir the profile's directory
   * @return the identity
   * @throws IdentityException if the key file is readable by others, corrupt or unwritable
   */
  public static Identity loadOrCreate(Path profileDir) {
    Path file = profileDir.resolve(KEY_FILE);
    try {
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return load(file);
      }
      createPrivateDirectory(profileDir);
      Identity identity = generate();
      byte[] pem = pem(identity.keys.getPrivate()).getBytes(StandardCharsets.US_ASCII);
      if (supportsPosix(profileDir)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
      } else {
        Files.createFile(file);
      }
      Files.write(file, pem, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
      return identity;
    } catch (FileAlreadyExistsException e) {
      return load(file); // another process created it first
    } catch (IOException e) {
      throw new IdentityException(
          "cannot create the identity key " + file + ": " + e.getMessage(), e);
    }
  }

  private static Identity load(Path file) {
    try {
      if (supportsPosix(file)) {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.stream()
            .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
          throw new IdentityException(
              "the identity key "
                  + file
                  + " can be read by other users (mode "
                  + PosixFilePermissions.toString(mode)
                  + "); run: chmod 600 "
                  + file);
        }
      }
      String text = Files.readString(file, StandardCharsets.US_ASCII);
      PrivateKey key = parsePem(file, text);
      if (!(key instanceof EdECPrivateKey edKey) || edKey.getBytes().isEmpty()) {
        throw corrupt(file, null);
      }
      return new Identity(edKey.getBytes().get());
    } catch (IOException e) {
      throw new IdentityException(
          "cannot read the identity key " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw corrupt(file, e);
    }
  }

  private static PrivateKey parsePem(Path file, String text) throws GeneralSecurityException {
    int begin = text.indexOf(PEM_BEGIN);
    int end = text.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw corrupt(file, null);
    }
    String base64 = text.substring(begin + PEM_BEGIN.length(), end).replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32 key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private static IdentityException corrupt(Path file, Exception cause) {
    return new IdentityException(
        "the identity key "
            + file
            + " is corrupt or not an Ed25519 key. Restore it from a backup, or move it away to"
            + " create a new identity (peers that trusted the old one will see a changed key)",
        cause);
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (supportsPosix(dir.toAbsolutePath().getParent())) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  private static boolean supportsPosix(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null
        && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String pem(PrivateKey key) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return PEM_BEGIN + "\n" + base64 + "\n" + PEM_END + "\n";
  }

  private static X509Certificate selfSigned(
      KeyPair keys, Ed25519PrivateKeyParameters signingKey, PeerId id) {
    try {
      X500Name name = new X500Name("CN=" + id.value());
      Instant now = Instant.now();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
              Date.from(now.minus(1, ChronoUnit.DAYS)),
              Date.from(now.plus(3650, ChronoUnit.DAYS)),
              name,
              keys.getPublic());
      // Signed with Bouncy Castle's RFC 8032 code directly, several times faster than the JDK's
      // Ed25519 (a node makes this certificate at every start), and without Bouncy Castle's JCA
      // provider, whose construction registers hundreds of algorithms: that alone took a third of
      // the CPU time to a ready chat (docs/PERFORMANCE.md).
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new Ed25519Signer(signingKey)));
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot make the identity certificate", e);
    }
  }

  /** Signs a certificate's to-be-signed bytes with an Ed25519 key (RFC 8410's algorithm id). */
  private static final class Ed25519Signer implements ContentSigner {

    private static final AlgorithmIdentifier ED25519 =
        new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);

    private final Ed25519PrivateKeyParameters key;
    private final ByteArrayOutputStream toBeSigned = new ByteArrayOutputStream(512);

    Ed25519Signer(Ed25519PrivateKeyParameters key) {
      this.key = key;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return ED25519;
    }

    @Override
    public OutputStream getOutputStream() {
      return toBeSigned;
    }

    @Override
    public byte[] getSignature() {
      byte[] data = toBeSigned.toByteArray();
      byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
      key.sign(Ed25519.Algorithm.Ed25519, null, data, 0, data.length, signature, 0);
      return signature;
    }
  }

  /**
   * Returns the peer id.
   *
   * @return the fingerprint of the public key
   */
  public PeerId id() {
    return id;
  }

  /**
   * Returns the public key.
   *
   * @return the public key
   */
  public PublicKey publicKey() {
    return keys.getPublic();
  }

  /**
   * Returns the public key as base64 of its X.509 encoding, as announces carry it.
   *
   * @return the encoded key
   */
  public String encodedPublicKey() {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  /**
   * Returns the private key, for TLS.
   *
   * @return the private key
   */
  PrivateKey privateKey() {
    return keys.getPrivate();
  }

  /**
   * Returns the self-signed certificate of the identity key, for TLS.
   *
   * @return the certificate
   */
  public synchronized X509Certificate certificate() {
    // Made when TLS first needs it (the peer TLS contexts are built beside the start), not with
    // the identity: its ASN.1 and X.509 code is then off the start's own path.
    if (certificate == null) {
      certificate = selfSigned(keys, signingKey, id);
    }
    return certificate;
  }

  /**
   * Returns this identity's mail key: an X25519 key pair derived from the identity key (HKDF with
   * its own label), so it needs no file of its own and is the same at every start.
   *
   * @return the mail key
   */
  public MailKey mailKey() {
    MailKey key = mailKey;
    if (key == null) {
      key = MailKey.derive(this, signingKey.getEncoded());
      mailKey = key;
    }
    return key;
  }

  /**
   * Signs bytes with the identity key.
   *
   * @param data what to sign
   * @return the Ed25519 signature, 64 bytes
   */
  public byte[] sign(byte[] data) {
    // Bouncy Castle's RFC 8032 code: several times faster than the JDK's, and a node signs its
    // announce and goodbye at every start and stop.
    byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
    signingKey.sign(Ed25519.Algorithm.Ed25519, null, data, 0, data.length, signature, 0);
    return signature;
  }

  /**
   * Decodes a public key as announces carry it.
   *
   * @param base64 base64 of the X.509 encoding of an Ed25519 key
   * @return the key
   * @throws IllegalArgumentException if it is not one
   */
  public static PublicKey decodePublicKey(String base64) {
    return Signatures.decodePublicKey(base64);
  }

  /**
   * Checks a signature made with {@link #sign}.
   *
   * @param key the signer's public key
   * @param data what was signed
   * @param signature the signature
   * @return true if it is valid
   */
  public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    return Signatures.verify(key, data, signature);
  }
}
