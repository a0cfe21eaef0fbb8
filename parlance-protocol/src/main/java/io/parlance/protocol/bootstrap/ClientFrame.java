package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.identity.Signatures;
import java.util.List;
import java.util.Optional;

/**
 * A frame a peer sends to the bootstrap server; its {@code type} field says which. A server answers
 * a type it does not know with an {@code unknown_type} error.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientFrame.Register.class, name = ClientFrame.Register.TYPE),
  @JsonSubTypes.Type(value = ClientFrame.Lookup.class, name = ClientFrame.Lookup.TYPE),
  @JsonSubTypes.Type(value = ClientFrame.ListPeers.class, name = ClientFrame.ListPeers.TYPE),
  @JsonSubTypes.Type(value = ClientFrame.Unregister.class, name = ClientFrame.Unregister.TYPE),
  @JsonSubTypes.Type(
      value = MailClientFrame.KeyPublish.class,
      name = MailClientFrame.KeyPublish.TYPE),
  @JsonSubTypes.Type(
      value = MailClientFrame.KeyLookup.class,
      name = MailClientFrame.KeyLookup.TYPE),
  @JsonSubTypes.Type(value = MailClientFrame.Deposit.class, name = MailClientFrame.Deposit.TYPE),
  @JsonSubTypes.Type(value = MailClientFrame.Fetch.class, name = MailClientFrame.Fetch.TYPE),
  @JsonSubTypes.Type(value = MailClientFrame.Ack.class, name = MailClientFrame.Ack.TYPE),
  @JsonSubTypes.Type(value = RelayFrames.Request.class, name = RelayFrames.Request.TYPE),
  @JsonSubTypes.Type(value = RelayFrames.Join.class, name = RelayFrames.Join.TYPE),
  @JsonSubTypes.Type(value = PunchFrames.Request.class, name = PunchFrames.Request.TYPE)
})
public sealed interface ClientFrame extends BootstrapFrame
    permits ClientFrame.Register,
        ClientFrame.Lookup,
        ClientFrame.ListPeers,
        ClientFrame.Unregister,
        MailClientFrame,
        RelayFrames.Request,
        RelayFrames.Join,
        PunchFrames.Request {

  /**
   * {@code {"type":"register","nickname":"alice","tcp_port":36091}}: hold this nickname for the
   * life of the connection; the server records the connection's source IP with {@code tcp_port}.
   *
   * <p>A peer with an identity adds {@code id}, {@code key}, {@code caps} and {@code sig}, where
   * {@code sig} is its key's signature of {@link #signedPayload(String)} with the nonce of the
   * connection's {@link ServerFrame.Challenge}. Such a registration proves who holds the nickname:
   * another key cannot take it while it is online, and the same key takes it back at once from an
   * older connection. A plain registration (no identity fields) works as before.
   *
   * @param nickname the nickname, valid by Parlance's rules
   * @param tcpPort the TCP port the peer listens on for messages, 1–65535
   * @param addresses other {@code ip:port} addresses the peer can be reached at, at most {@link
   *     BootstrapProtocol#MAX_ADDRESSES}; may be null
   * @param events false for a peer that only looks others up: it gets no first page and no {@code
   *     peers_changed} events; null or true for the default, everything
   * @param id the peer's identity fingerprint, or null
   * @param key the peer's Ed25519 public key (base64 of its X.509 encoding), or null
   * @param caps the extensions the peer speaks (e.g. {@code tls}, {@code ack}), or null
   * @param sig base64 signature of {@link #signedPayload(String)} by {@code key}, or null
   */
  @JsonPropertyOrder({"nickname", "tcp_port", "addresses", "events", "id", "key", "caps", "sig"})
  @JsonInclude(Include.NON_NULL)
  record Register(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "tcp_port", required = true) int tcpPort,
      @JsonProperty("addresses") List<String> addresses,
      @JsonProperty("events") Boolean events,
      @JsonProperty("id") String id,
      @JsonProperty("key") String key,
      @JsonProperty("caps") List<String> caps,
      @JsonProperty("sig") String sig)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "register";

    /**
     * Validates the fields.
     *
     * @throws ProtocolException if a field is invalid, malformed or too long
     */
    @JsonCreator
    public Register {
      Nickname.requireValid(nickname);
      Protocol.requireValidPort("tcp_port", tcpPort);
      addresses = HostPort.requireValidList("addresses", addresses);
      IdentityFields.requireValid(id, key, sig);
      caps = IdentityFields.requireValidCaps(caps);
    }

    /**
     * Creates a plain registration.
     *
     * @param nickname the nickname
     * @param tcpPort the TCP port
     * @param addresses other addresses, or null
     * @param events false for no peer list and events, or null for the default
     */
    public Register(String nickname, int tcpPort, List<String> addresses, Boolean events) {
      this(nickname, tcpPort, addresses, events, null, null, null, null);
    }

    /**
     * Creates a plain registration that wants peer events.
     *
     * @param nickname the nickname
     * @param tcpPort the TCP port
     * @param addresses other addresses, or null
     */
    public Register(String nickname, int tcpPort, List<String> addresses) {
      this(nickname, tcpPort, addresses, null);
    }

    /**
     * Tells whether the peer wants the peer list and join/leave events.
     *
     * @return false only when {@code events} is false
     */
    public boolean wantsEvents() {
      return !Boolean.FALSE.equals(events);
    }

    /**
     * Tells whether the registration claims an identity, rightly or not.
     *
     * @return true if any of {@code id}, {@code key} and {@code sig} is present
     */
    public boolean claimsIdentity() {
      return id != null || key != null || sig != null;
    }

    /**
     * Returns this registration with a signature.
     *
     * @param signature base64 signature of {@link #signedPayload(String)}
     * @return the signed registration
     */
    public Register withSig(String signature) {
      return new Register(nickname, tcpPort, addresses, events, id, key, caps, signature);
    }

    /**
     * Returns the bytes that {@code sig} signs: a tag, the challenge's nonce, then {@code
     * nickname}, {@code tcp_port}, {@code addresses}, {@code id}, {@code key} and {@code caps}, one
     * per line (lists joined by commas, absent fields empty). {@link PeerInfo#signedPayload()}
     * gives the same bytes for the peer as others see it.
     *
     * @param nonce the nonce of the connection's challenge
     * @return the payload
     */
    public byte[] signedPayload(String nonce) {
      return IdentityFields.registrationPayload(nonce, nickname, tcpPort, addresses, id, key, caps);
    }

    /**
     * Tells what, if anything, keeps this registration from proving its identity.
     *
     * @param nonce the nonce of the connection's challenge, or null if none was sent
     * @return what is wrong, in words, or empty if {@code key} is an Ed25519 key whose fingerprint
     *     is {@code id} and {@code sig} is its signature of {@link #signedPayload(String)}
     */
    public Optional<String> identityProblem(String nonce) {
      if (nonce == null) {
        return Optional.of("no challenge was sent on this connection");
      }
      return Signatures.problem(id, key, sig, signedPayload(nonce));
    }
  }

  /**
   * {@code {"type":"lookup","nickname":"bob","id":"7"}}: where is this peer? Answered by a {@link
   * ServerFrame.LookupResult} with the same {@code id}.
   *
   * @param nickname the nickname to look up
   * @param id an optional request id, echoed in the answer; may be null
   */
  @JsonPropertyOrder({"nickname", "id"})
  @JsonInclude(Include.NON_NULL)
  record Lookup(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty("id") String id)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "lookup";

    /** Validates the fields. */
    public Lookup {
      Nickname.requireValid(nickname);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"list","cursor":"bob","limit":200}}: one page of the online peers, in nickname
   * order after {@code cursor}. Answered by a {@link ServerFrame.Peers}.
   *
   * @param cursor the {@code next_cursor} of the previous page, or null for the first page
   * @param limit how many peers at most; the server caps it at {@link BootstrapProtocol#MAX_PAGE};
   *     null for the server's default
   * @param id an optional request id, echoed in the answer; may be null
   */
  @JsonPropertyOrder({"cursor", "limit", "id"})
  @JsonInclude(Include.NON_NULL)
  record ListPeers(
      @JsonProperty("cursor") String cursor,
      @JsonProperty("limit") Integer limit,
      @JsonProperty("id") String id)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "list";

    /** Validates the fields. */
    public ListPeers {
      if (cursor != null && cursor.length() > BootstrapProtocol.MAX_CURSOR_CHARS) {
        throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "field 'cursor' is too long");
      }
      if (limit != null && limit < 1) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field 'limit' must be at least 1");
      }
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"unregister"}}: release the nickname now; the server answers {@link
   * ServerFrame.Unregistered} and the connection stays open.
   *
   * @param id an optional request id, echoed in the answer; may be null
   */
  @JsonInclude(Include.NON_NULL)
  record Unregister(@JsonProperty("id") String id) implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "unregister";

    /** Validates the fields. */
    public Unregister {
      BootstrapProtocol.requireValidId(id);
    }
  }
}
