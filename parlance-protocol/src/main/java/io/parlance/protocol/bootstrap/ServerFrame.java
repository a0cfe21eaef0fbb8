package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/** A frame the bootstrap server sends to a peer; its {@code type} field says which. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerFrame.Challenge.class, name = ServerFrame.Challenge.TYPE),
  @JsonSubTypes.Type(value = ServerFrame.Registered.class, name = ServerFrame.Registered.TYPE),
  @JsonSubTypes.Type(value = ServerFrame.Peers.class, name = ServerFrame.Peers.TYPE),
  @JsonSubTypes.Type(value = ServerFrame.PeersChanged.class, name = ServerFrame.PeersChanged.TYPE),
  @JsonSubTypes.Type(value = ServerFrame.LookupResult.class, name = ServerFrame.LookupResult.TYPE),
  @JsonSubTypes.Type(value = ServerFrame.Unregistered.class, name = ServerFrame.Unregistered.TYPE),
  @JsonSubTypes.Type(value = ServerFrame.Error.class, name = ServerFrame.Error.TYPE),
  @JsonSubTypes.Type(value = MailServerFrame.MailKey.class, name = MailServerFrame.MailKey.TYPE),
  @JsonSubTypes.Type(
      value = MailServerFrame.Deposited.class,
      name = MailServerFrame.Deposited.TYPE),
  @JsonSubTypes.Type(value = MailServerFrame.Mail.class, name = MailServerFrame.Mail.TYPE),
  @JsonSubTypes.Type(value = MailServerFrame.Acked.class, name = MailServerFrame.Acked.TYPE),
  @JsonSubTypes.Type(value = RelayFrames.Ready.class, name = RelayFrames.Ready.TYPE),
  @JsonSubTypes.Type(value = RelayFrames.Offer.class, name = RelayFrames.Offer.TYPE),
  @JsonSubTypes.Type(value = RelayFrames.Paired.class, name = RelayFrames.Paired.TYPE),
  @JsonSubTypes.Type(value = PunchFrames.Ready.class, name = PunchFrames.Ready.TYPE),
  @JsonSubTypes.Type(value = PunchFrames.Offer.class, name = PunchFrames.Offer.TYPE),
  @JsonSubTypes.Type(value = PunchFrames.Go.class, name = PunchFrames.Go.TYPE)
})
public sealed interface ServerFrame extends BootstrapFrame
    permits ServerFrame.Challenge,
        ServerFrame.Registered,
        ServerFrame.Peers,
        ServerFrame.PeersChanged,
        ServerFrame.LookupResult,
        ServerFrame.Unregistered,
        ServerFrame.Error,
        MailServerFrame,
        RelayFrames.Ready,
        RelayFrames.Offer,
        RelayFrames.Paired,
        PunchFrames.Ready,
        PunchFrames.Offer,
        PunchFrames.Go {

  /**
   * {@code {"type":"challenge","nonce":"q3R0...="}}: sent once on every connection, right after the
   * WebSocket handshake and before anything else. A peer that registers with an identity signs the
   * nonce with its registration (see {@link ClientFrame.Register#signedPayload(String)}), which
   * proves it holds the key now, on this connection; a signature made for another connection's
   * nonce is refused. Plain peers ignore it.
   *
   * @param nonce base64 of {@link BootstrapProtocol#NONCE_BYTES} random bytes
   */
  @JsonPropertyOrder({"nonce"})
  record Challenge(@JsonProperty(value = "nonce", required = true) String nonce)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "challenge";

    /**
     * Validates the nonce.
     *
     * @throws ProtocolException if it is not base64 of {@link BootstrapProtocol#NONCE_BYTES} bytes
     */
    public Challenge {
      if (nonce == null) {
        throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'nonce' is null");
      }
      IdentityFields.requireValidNonce(nonce);
    }

    /**
     * Makes a challenge with a fresh nonce.
     *
     * @param random a cryptographically strong source
     * @return the challenge
     */
    public static Challenge random(SecureRandom random) {
      byte[] nonce = new byte[BootstrapProtocol.NONCE_BYTES];
      random.nextBytes(nonce);
      return new Challenge(Base64.getEncoder().encodeToString(nonce));
    }
  }

  /**
   * {@code {"type":"registered","nickname":"alice","address":"203.0.113.7:36091",
   * "peers_online":42}}: the nickname is yours; a first {@link Peers} page follows.
   *
   * @param nickname the registered nickname
   * @param address the address others will see: the connection's source IP and the TCP port
   * @param peersOnline how many peers are registered, this one included
   * @param reachable whether the server's TCP connection back to {@code address} succeeded (like
   *     STUN, one probe per registration); null when it did not probe
   */
  @JsonPropertyOrder({"nickname", "address", "peers_online", "reachable"})
  @JsonInclude(Include.NON_NULL)
  record Registered(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "address", required = true) String address,
      @JsonProperty(value = "peers_online", required = true) long peersOnline,
      @JsonProperty("reachable") Boolean reachable)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "registered";

    /** Validates the fields. */
    @JsonCreator
    public Registered {
      Nickname.requireValid(nickname);
      HostPort.parse("address", address);
    }

    /**
     * Creates the answer of a server that did not probe the peer.
     *
     * @param nickname the registered nickname
     * @param address the address others will see
     * @param peersOnline how many peers are registered
     */
    public Registered(String nickname, String address, long peersOnline) {
      this(nickname, address, peersOnline, null);
    }
  }

  /**
   * {@code {"type":"peers","peers":[...],"next_cursor":"bob"}}: one page of online peers in
   * nickname order; without {@code next_cursor} it is the last page.
   *
   * @param peers the peers on this page
   * @param nextCursor the cursor for the next page, or null on the last page
   * @param id the id of the {@code list} request, or null
   */
  @JsonPropertyOrder({"peers", "next_cursor", "id"})
  @JsonInclude(Include.NON_NULL)
  record Peers(
      @JsonProperty(value = "peers", required = true) List<PeerInfo> peers,
      @JsonProperty("next_cursor") String nextCursor,
      @JsonProperty("id") String id)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "peers";

    /** Validates the fields. */
    public Peers {
      peers = requireList("peers", peers);
    }
  }

  /**
   * {@code {"type":"peers_changed","joined":[...],"left":[...]}}: who joined and who left during
   * the server's last batching interval. A nickname appears at most once, in its latest state.
   *
   * @param joined peers that registered (or re-registered at a new address)
   * @param left peers that went away
   */
  @JsonPropertyOrder({"joined", "left"})
  record PeersChanged(
      @JsonProperty(value = "joined", required = true) List<PeerInfo> joined,
      @JsonProperty(value = "left", required = true) List<PeerInfo> left)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "peers_changed";

    /** Validates the fields. */
    public PeersChanged {
      joined = requireList("joined", joined);
      left = requireList("left", left);
    }
  }

  /**
   * {@code {"type":"lookup_result","nickname":"bob","found":true,"peer":{...}}}.
   *
   * @param nickname the nickname asked for
   * @param found whether it is online
   * @param peer where it is, or null when not found
   * @param id the id of the {@code lookup} request, or null
   */
  @JsonPropertyOrder({"nickname", "found", "peer", "id"})
  @JsonInclude(Include.NON_NULL)
  record LookupResult(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "found", required = true) boolean found,
      @JsonProperty("peer") PeerInfo peer,
      @JsonProperty("id") String id)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "lookup_result";

    /** Validates the fields. */
    public LookupResult {
      Objects.requireNonNull(nickname, "nickname");
      if (found != (peer != null)) {
        throw new ProtocolException(
            ProtocolError.MISSING_FIELD, "field 'peer' must be present exactly when found");
      }
    }
  }

  /**
   * {@code {"type":"unregistered"}}: the nickname is released; the connection stays open.
   *
   * @param id the id of the {@code unregister} request, or null
   */
  @JsonInclude(Include.NON_NULL)
  record Unregistered(@JsonProperty("id") String id) implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "unregistered";
  }

  /**
   * {@code {"type":"error","code":"nickname_taken","message":"..."}}: a request failed, or the
   * connection misbehaved. Codes are listed in {@link ErrorCode}.
   *
   * @param code the machine-readable code
   * @param message what went wrong, in words
   * @param id the id of the failed request, if it had one and could be read; else null
   */
  @JsonPropertyOrder({"code", "message", "id"})
  @JsonInclude(Include.NON_NULL)
  record Error(
      @JsonProperty(value = "code", required = true) String code,
      @JsonProperty(value = "message", required = true) String message,
      @JsonProperty("id") String id)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "error";

    /** Checks that code and message are present. */
    public Error {
      if (code == null || message == null) {
        throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'code' or 'message'");
      }
    }

    /**
     * Creates an error that answers no particular request.
     *
     * @param code the code
     * @param message the message
     */
    public Error(String code, String message) {
      this(code, message, null);
    }
  }

  private static <T> List<T> requireList(String field, List<T> list) {
    if (list == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
    for (T item : list) {
      if (item == null) {
        throw new ProtocolException(
            ProtocolError.MISSING_FIELD, "field '" + field + "' holds a null");
      }
    }
    return List.copyOf(list);
  }
}
