package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.identity.Fingerprints;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The frames that pair two registered peers for a relayed session, and the constants of the relay.
 *
 * <p>On its registry connection, peer A asks {@link Request relay_request} for the peer B it names
 * by nickname and id; the server answers A with {@link Ready relay_ready} and tells B {@link Offer
 * relay_offer}, each with its own single-use token. Each side then opens a WebSocket to {@link
 * #PATH} and sends {@link Join relay_join} with its token as the first frame; once both have
 * joined, the server sends each {@link Paired relay_paired} and from then on forwards every binary
 * frame of one to the other, unread. The peers run their TLS session inside those bytes.
 */
public final class RelayFrames {

  /** The WebSocket path of relayed sessions, on the server's own port. */
  public static final String PATH = "/relay";

  /** The error code of a refused relay request or join. */
  public static final String REFUSED = "relay_refused";

  /** The capability of a peer that accepts relayed sessions. */
  public static final String CAP = "relay";

  /** Random bytes in a token; its text is base64url without padding, 24 characters. */
  public static final int TOKEN_BYTES = 18;

  /** Characters of a token's text. */
  public static final int TOKEN_CHARS = 24;

  /** The largest binary frame a relayed session carries either way. */
  public static final int MAX_CHUNK_BYTES = 16 * 1024;

  private RelayFrames() {}

  /**
   * Makes a fresh token.
   *
   * @param random a cryptographically strong source
   * @return base64url text of {@link #TOKEN_BYTES} random bytes
   */
  public static String newToken(SecureRandom random) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String requireToken(String token) {
    if (token == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'token' is missing");
    }
    if (token.length() != TOKEN_CHARS) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field 'token' must be " + TOKEN_CHARS + " characters");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field 'token' is not base64url");
      }
    }
    return token;
  }

  static String requirePeerId(String field, String id) {
    if (id == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is missing");
    }
    if (!Fingerprints.isCanonical(id)) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' is not a peer id");
    }
    return id;
  }

  /**
   * {@code {"type":"relay_request","nickname":"bob","peer":"<bob's id>","id":"r1"}}: relay me to
   * this registered peer. Only a registration that proved its key may ask, only for a peer that
   * proved its key and registered the {@link #CAP relay} capability.
   *
   * @param nickname the peer's nickname
   * @param peer the peer's id, which its registration must carry
   * @param id an optional request id, echoed in the answer; may be null
   */
  @JsonPropertyOrder({"nickname", "peer", "id"})
  @JsonInclude(Include.NON_NULL)
  public record Request(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "peer", required = true) String peer,
      @JsonProperty("id") String id)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_request";

    /** Validates the fields. */
    @JsonCreator
    public Request {
      Nickname.requireValid(nickname);
      requirePeerId("peer", peer);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"relay_join","token":"..."}}: the first frame on a {@link #PATH} WebSocket.
   *
   * @param token the token of a {@link Ready} or {@link Offer}
   */
  public record Join(@JsonProperty(value = "token", required = true) String token)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_join";

    /** Validates the token. */
    @JsonCreator
    public Join {
      requireToken(token);
    }
  }

  /**
   * {@code {"type":"relay_ready","nickname":"bob","peer":"<id>","token":"...","id":"r1"}}: the
   * answer to a {@link Request}; join with this token.
   *
   * @param nickname the peer asked for
   * @param peer its id
   * @param token the requester's single-use token
   * @param id the id of the request, or null
   */
  @JsonPropertyOrder({"nickname", "peer", "token", "id"})
  @JsonInclude(Include.NON_NULL)
  public record Ready(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "peer", required = true) String peer,
      @JsonProperty(value = "token", required = true) String token,
      @JsonProperty("id") String id)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_ready";

    /** Validates the fields. */
    @JsonCreator
    public Ready {
      Nickname.requireValid(nickname);
      requirePeerId("peer", peer);
      requireToken(token);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"relay_offer","nickname":"alice","peer":"<alice's id>","token":"..."}}: a peer
   * asks to be relayed to you. Join with the token to agree; ignore it to refuse.
   *
   * @param nickname the requester's nickname
   * @param peer the requester's proven id
   * @param token your single-use token
   */
  @JsonPropertyOrder({"nickname", "peer", "token"})
  public record Offer(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "peer", required = true) String peer,
      @JsonProperty(value = "token", required = true) String token)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_offer";

    /** Validates the fields. */
    @JsonCreator
    public Offer {
      Nickname.requireValid(nickname);
      requirePeerId("peer", peer);
      requireToken(token);
    }
  }

  /**
   * {@code {"type":"relay_paired"}}: on a {@link #PATH} WebSocket, both sides have joined; binary
   * frames now go to the other side.
   */
  public record Paired() implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_paired";
  }
}
