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
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>In a cluster the two peers may be registered on different servers: the offer then names the
 * {@link Offer#relay() relay} to join (the requester's server), and the offered side proves its key
 * in its join ({@link Join#peer()} and {@link Join#sig()} over {@link #joinPayload(String)}), since
 * that server never saw it register.
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

  /** The longest relay URL an offer may name. */
  public static final int MAX_RELAY_URL_CHARS = 512;

  /** What a join's signature covers, before the token. */
  private static final String JOIN_CONTEXT = "parlance-relay-join\n";

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

  /**
   * Returns what a {@link Join} signs: a context string and the token, so the signature is good for
   * nothing else.
   *
   * @param token the token
   * @return the bytes to sign
   */
  public static byte[] joinPayload(String token) {
    return (JOIN_CONTEXT + token).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks a relay URL an offer names: {@code ws://} or {@code wss://}, a host, a path ending in
   * {@link #PATH}, no user info, query or fragment, at most {@link #MAX_RELAY_URL_CHARS}.
   *
   * @param url the text
   * @return the URL
   * @throws ProtocolException if it is not one
   */
  public static URI requireRelayUrl(String url) {
    if (url.length() > MAX_RELAY_URL_CHARS) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field 'relay' is longer than " + MAX_RELAY_URL_CHARS + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "field 'relay' is not a URL");
    }
    String scheme = uri.getScheme();
    String path = uri.getRawPath();
    if (!("ws".equals(scheme) || "wss".equals(scheme))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || path == null
        || !path.endsWith(PATH)) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field 'relay' must be a ws:// or wss:// URL ending in " + PATH);
    }
    return uri;
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
   * {@code {"type":"relay_join","token":"...","peer":"<id>","sig":"..."}}: the first frame on a
   * {@link #PATH} WebSocket. {@code peer} and {@code sig} prove the joining key: the key of the
   * token's side must have signed {@link #joinPayload(String)}. A server that did not register the
   * joining peer (an offer across a cluster) requires them; one that did checks them when present.
   *
   * @param token the token of a {@link Ready} or {@link Offer}
   * @param peer the joining peer's id, or null
   * @param sig base64 of its Ed25519 signature over {@link #joinPayload(String)}, or null
   */
  @JsonPropertyOrder({"token", "peer", "sig"})
  @JsonInclude(Include.NON_NULL)
  public record Join(
      @JsonProperty(value = "token", required = true) String token,
      @JsonProperty("peer") String peer,
      @JsonProperty("sig") String sig)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_join";

    /** The longest signature text (base64 of 64 bytes is 88). */
    private static final int MAX_SIG_CHARS = 100;

    /** Validates the fields. */
    @JsonCreator
    public Join {
      requireToken(token);
      if ((peer == null) != (sig == null)) {
        throw new ProtocolException(
            ProtocolError.MISSING_FIELD, "fields 'peer' and 'sig' go together");
      }
      if (peer != null) {
        requirePeerId("peer", peer);
        if (sig.isEmpty() || sig.length() > MAX_SIG_CHARS) {
          throw new ProtocolException(
              ProtocolError.WRONG_FIELD_TYPE, "field 'sig' is not a signature");
        }
      }
    }

    /**
     * A join that proves no key (the server registered the joining peer itself).
     *
     * @param token the token
     */
    public Join(String token) {
      this(token, null, null);
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
   * {@code {"type":"relay_offer","nickname":"alice","peer":"<alice's id>","token":"...",
   * "relay":"ws://bs1:8080/relay"}}: a peer asks to be relayed to you. Join with the token to
   * agree; ignore it to refuse. {@code relay} names where to join when it is not this server's own
   * relay (the requester is registered on another server of the cluster); the join must then prove
   * the key.
   *
   * @param nickname the requester's nickname
   * @param peer the requester's proven id
   * @param token your single-use token
   * @param relay the relay WebSocket URL to join, or null for this server's own
   */
  @JsonPropertyOrder({"nickname", "peer", "token", "relay"})
  @JsonInclude(Include.NON_NULL)
  public record Offer(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "peer", required = true) String peer,
      @JsonProperty(value = "token", required = true) String token,
      @JsonProperty("relay") String relay)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "relay_offer";

    /** Validates the fields. */
    @JsonCreator
    public Offer {
      Nickname.requireValid(nickname);
      requirePeerId("peer", peer);
      requireToken(token);
      if (relay != null) {
        requireRelayUrl(relay);
      }
    }

    /**
     * An offer to join this server's own relay.
     *
     * @param nickname the requester's nickname
     * @param peer the requester's proven id
     * @param token your single-use token
     */
    public Offer(String nickname, String peer, String token) {
      this(nickname, peer, token, null);
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
