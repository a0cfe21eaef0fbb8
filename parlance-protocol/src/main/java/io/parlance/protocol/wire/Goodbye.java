package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import java.nio.charset.StandardCharsets;

/**
 * "I am leaving": {@code {"type":"goodbye","nickname":"alice"}}. Our peers add their {@code id} and
 * a {@code sig} of {@link #signedPayload()}, so no one can make them leave.
 *
 * @param nickname the departing peer's nickname, valid by Parlance's rules
 * @param id the peer's identity fingerprint, or null
 * @param sig base64 signature of {@link #signedPayload()}, or null
 * @param seq the signer's sequence number, higher than that of any announce or goodbye it signed
 *     before, so a recorded goodbye cannot be replayed; or null
 * @param seqSig base64 signature of {@link #freshPayload()}, which covers {@code seq}; or null
 */
@JsonPropertyOrder({"nickname", "id", "sig", "seq", "seq_sig"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Goodbye(
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty("id") String id,
    @JsonProperty("sig") String sig,
    @JsonProperty("seq") Long seq,
    @JsonProperty("seq_sig") String seqSig)
    implements DiscoveryMessage {

  /** The value of the {@code type} field. */
  public static final String TYPE = "goodbye";

  /**
   * Validates the fields.
   *
   * @throws io.parlance.protocol.ProtocolException if the nickname is invalid or a field too long
   */
  @JsonCreator
  public Goodbye {
    Nickname.requireValid(nickname);
    Extensions.requireBounded("id", id);
    Extensions.requireBounded("sig", sig);
    Extensions.requireSequence(seq);
    Extensions.requireBounded("seq_sig", seqSig);
  }

  /**
   * Creates a plain goodbye, as the Rust Parlance sends it.
   *
   * @param nickname the nickname
   */
  public Goodbye(String nickname) {
    this(nickname, null, null);
  }

  /**
   * Creates a goodbye without a sequence number, as our peers sent it before {@code seq}.
   *
   * @param nickname the nickname
   * @param id the identity fingerprint, or null
   * @param sig the signature of {@link #signedPayload()}, or null
   */
  public Goodbye(String nickname, String id, String sig) {
    this(nickname, id, sig, null, null);
  }

  /**
   * Returns the bytes that {@code sig} signs.
   *
   * @return the payload
   */
  public byte[] signedPayload() {
    return String.join("\n", "parlance-goodbye-v1", nickname, String.valueOf(id))
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns the bytes that {@code seq_sig} signs: the fields of {@link #signedPayload()} and the
   * sequence number.
   *
   * @return the payload
   */
  public byte[] freshPayload() {
    return String.join(
            "\n", "parlance-goodbye-v2", nickname, String.valueOf(id), String.valueOf(seq))
        .getBytes(StandardCharsets.UTF_8);
  }
}
