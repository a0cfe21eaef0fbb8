package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * "I am here": {@code {"type":"announce","nickname":"alice","tcp_port":54321}}.
 *
 * <p>The peer's address is the datagram's source IP plus {@code tcp_port}. Our peers add the
 * optional extension fields {@code id}, {@code key}, {@code caps} and {@code sig}; a plain Parlance
 * peer ignores them, and sends none, so they are null for it.
 *
 * @param nickname the peer's nickname, valid by Parlance's rules
 * @param tcpPort the TCP port the peer listens on for messages, 1–65535
 * @param id the peer's identity fingerprint, or null
 * @param key the peer's public key (base64 of its X.509 encoding), or null
 * @param caps the extensions the peer speaks (e.g. {@code tls}, {@code ack}), or null
 * @param sig base64 signature of {@link #signedPayload()} by {@code key}, or null
 * @param seq the signer's sequence number (milliseconds of its clock when it signed, strictly
 *     increasing per key), so a receiver can refuse a replayed announce; or null (a plain peer, or
 *     one of ours from before the field)
 * @param seqSig base64 signature of {@link #freshPayload()} by {@code key}, which covers {@code
 *     seq}; or null. It sits beside {@code sig} so that our older peers, which check only {@code
 *     sig}, keep believing our announces.
 */
@JsonPropertyOrder({"nickname", "tcp_port", "id", "key", "caps", "sig", "seq", "seq_sig"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Announce(
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty(value = "tcp_port", required = true) int tcpPort,
    @JsonProperty("id") String id,
    @JsonProperty("key") String key,
    @JsonProperty("caps") List<String> caps,
    @JsonProperty("sig") String sig,
    @JsonProperty("seq") Long seq,
    @JsonProperty("seq_sig") String seqSig)
    implements DiscoveryMessage {

  /** The value of the {@code type} field. */
  public static final String TYPE = "announce";

  /**
   * Validates the fields.
   *
   * @throws io.parlance.protocol.ProtocolException if a field is invalid or too long
   */
  @JsonCreator
  public Announce {
    Nickname.requireValid(nickname);
    Protocol.requireValidPort("tcp_port", tcpPort);
    Extensions.requireBounded("id", id);
    Extensions.requireBounded("key", key);
    Extensions.requireBounded("sig", sig);
    Extensions.requireSequence(seq);
    Extensions.requireBounded("seq_sig", seqSig);
    caps = Extensions.requireBoundedCaps(caps);
  }

  /**
   * Creates a plain announce, as the Rust Parlance sends it.
   *
   * @param nickname the nickname
   * @param tcpPort the TCP port
   */
  public Announce(String nickname, int tcpPort) {
    this(nickname, tcpPort, null, null, null, null);
  }

  /**
   * Creates an announce without a sequence number, as our peers sent it before {@code seq}.
   *
   * @param nickname the nickname
   * @param tcpPort the TCP port
   * @param id the identity fingerprint, or null
   * @param key the public key, or null
   * @param caps the capabilities, or null
   * @param sig the signature of {@link #signedPayload()}, or null
   */
  public Announce(
      String nickname, int tcpPort, String id, String key, List<String> caps, String sig) {
    this(nickname, tcpPort, id, key, caps, sig, null, null);
  }

  /**
   * Tells whether the peer advertises an extension.
   *
   * @param cap the capability, e.g. {@code "tls"}
   * @return true if it is in {@code caps}
   */
  public boolean has(String cap) {
    return caps != null && caps.contains(cap);
  }

  /**
   * Returns this announce with a signature.
   *
   * @param signature base64 signature of {@link #signedPayload()}
   * @return the signed announce
   */
  public Announce withSig(String signature) {
    return new Announce(nickname, tcpPort, id, key, caps, signature, seq, seqSig);
  }

  /**
   * Returns this announce with a sequence number and its signature.
   *
   * @param sequence the sequence number
   * @param signature base64 signature of {@link #freshPayload()} with that number
   * @return the announce
   */
  public Announce withSeq(long sequence, String signature) {
    return new Announce(nickname, tcpPort, id, key, caps, sig, sequence, signature);
  }

  /**
   * Returns the bytes that {@code sig} signs: every field but the signature, in a fixed order.
   *
   * @return the payload
   */
  public byte[] signedPayload() {
    return String.join(
            "\n",
            "parlance-announce-v1",
            nickname,
            Integer.toString(tcpPort),
            String.valueOf(id),
            String.valueOf(key),
            caps == null ? "" : String.join(",", caps))
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns the bytes that {@code seq_sig} signs: every field of {@link #signedPayload()} and the
   * sequence number, under a prefix of its own, so that neither signature passes for the other.
   *
   * @return the payload
   */
  public byte[] freshPayload() {
    return String.join(
            "\n",
            "parlance-announce-v2",
            nickname,
            Integer.toString(tcpPort),
            String.valueOf(id),
            String.valueOf(key),
            caps == null ? "" : String.join(",", caps),
            String.valueOf(seq))
        .getBytes(StandardCharsets.UTF_8);
  }
}
