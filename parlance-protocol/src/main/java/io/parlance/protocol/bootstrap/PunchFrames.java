package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * The frames by which the server coordinates a hole punch (a simultaneous TCP open) between two
 * registered peers, and the constants of it.
 *
 * <p>Peer A asks {@link Request punch_request} for peer B on its registry connection; the server
 * answers A {@link Ready punch_ready} and tells B {@link Offer punch_offer}, each with its own
 * single-use token. Each side that agrees makes a TCP connection from a fresh local port to the
 * server's {@link #PATH} with its token (an HTTP GET); the server answers with the source address
 * it sees, the side's external mapping for that port. Once both sides did, the server sends each
 * {@link Go punch_go} with the other side's mapping and the TLS role: both then connect from that
 * same local port to the other's mapping, again and again for a bounded time, until the SYNs cross
 * in the NATs. A side that never fetches its mapping never gets a go, and neither does the other.
 */
public final class PunchFrames {

  /** The HTTP path (any prefix) where a side fetches its mapping: {@code GET /punch?token=...}. */
  public static final String PATH = "/punch";

  /** The error code of a refused punch request. */
  public static final String REFUSED = "punch_refused";

  /** The capability of a peer that takes part in hole punches. */
  public static final String CAP = "punch";

  /** The TLS role of the side that asked: it is the TLS client on the punched connection. */
  public static final String ROLE_CLIENT = "client";

  /** The TLS role of the side that was asked: it is the TLS server on the punched connection. */
  public static final String ROLE_SERVER = "server";

  private PunchFrames() {}

  /**
   * {@code {"type":"punch_request","nickname":"bob","peer":"<bob's id>","id":"p1"}}: coordinate a
   * hole punch with this registered peer. Only a registration that proved its key may ask, only for
   * a peer that proved its key and registered the {@link #CAP punch} capability.
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
    public static final String TYPE = "punch_request";

    /** Validates the fields. */
    @JsonCreator
    public Request {
      Nickname.requireValid(nickname);
      RelayFrames.requirePeerId("peer", peer);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"punch_ready","nickname":"bob","peer":"<id>","token":"...","id":"p1"}}: the
   * answer to a {@link Request}; fetch your mapping with this token.
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
    public static final String TYPE = "punch_ready";

    /** Validates the fields. */
    @JsonCreator
    public Ready {
      Nickname.requireValid(nickname);
      RelayFrames.requirePeerId("peer", peer);
      RelayFrames.requireToken(token);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"punch_offer","nickname":"alice","peer":"<alice's id>","token":"..."}}: a peer
   * asks to punch a hole to you. Fetch your mapping with the token to agree; ignore it to refuse.
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
    public static final String TYPE = "punch_offer";

    /** Validates the fields. */
    @JsonCreator
    public Offer {
      Nickname.requireValid(nickname);
      RelayFrames.requirePeerId("peer", peer);
      RelayFrames.requireToken(token);
    }
  }

  /**
   * {@code {"type":"punch_go","token":"...","peer":"<id>","address":"198.19.0.2:40002","role":
   * "client"}}: both sides fetched their mappings; connect from the local port you fetched yours
   * from to {@code address}, the other side's mapping, now.
   *
   * @param token your token of this punch (names the punch; it is spent)
   * @param peer the other side's id
   * @param address the other side's mapping as the server saw it
   * @param role {@link #ROLE_CLIENT} for the side that asked, {@link #ROLE_SERVER} for the other
   */
  @JsonPropertyOrder({"token", "peer", "address", "role"})
  public record Go(
      @JsonProperty(value = "token", required = true) String token,
      @JsonProperty(value = "peer", required = true) String peer,
      @JsonProperty(value = "address", required = true) String address,
      @JsonProperty(value = "role", required = true) String role)
      implements ServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "punch_go";

    /** Validates the fields. */
    @JsonCreator
    public Go {
      RelayFrames.requireToken(token);
      RelayFrames.requirePeerId("peer", peer);
      HostPort.parse("address", address);
      if (!ROLE_CLIENT.equals(role) && !ROLE_SERVER.equals(role)) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE,
            "field 'role' must be '" + ROLE_CLIENT + "' or '" + ROLE_SERVER + "'");
      }
    }

    /**
     * Tells whether this side is the TLS client.
     *
     * @return true for the side that asked
     */
    public boolean client() {
      return ROLE_CLIENT.equals(role);
    }
  }
}
