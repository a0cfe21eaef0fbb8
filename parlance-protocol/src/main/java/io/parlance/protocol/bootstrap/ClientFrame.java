package io.parlance.protocol.bootstrap;

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
import java.util.List;

/**
 * A frame a peer sends to the bootstrap server; its {@code type} field says which. A server answers
 * a type it does not know with an {@code unknown_type} error.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientFrame.Register.class, name = ClientFrame.Register.TYPE),
  @JsonSubTypes.Type(value = ClientFrame.Lookup.class, name = ClientFrame.Lookup.TYPE),
  @JsonSubTypes.Type(value = ClientFrame.ListPeers.class, name = ClientFrame.ListPeers.TYPE),
  @JsonSubTypes.Type(value = ClientFrame.Unregister.class, name = ClientFrame.Unregister.TYPE)
})
public sealed interface ClientFrame extends BootstrapFrame
    permits ClientFrame.Register,
        ClientFrame.Lookup,
        ClientFrame.ListPeers,
        ClientFrame.Unregister {

  /**
   * {@code {"type":"register","nickname":"alice","tcp_port":36091}}: hold this nickname for the
   * life of the connection; the server records the connection's source IP with {@code tcp_port}.
   *
   * @param nickname the nickname, valid by Parlance's rules
   * @param tcpPort the TCP port the peer listens on for messages, 1–65535
   * @param addresses other {@code ip:port} addresses the peer can be reached at, at most {@link
   *     BootstrapProtocol#MAX_ADDRESSES}; may be null
   * @param events false for a peer that only looks others up: it gets no first page and no {@code
   *     peers_changed} events; null or true for the default, everything
   */
  @JsonPropertyOrder({"nickname", "tcp_port", "addresses", "events"})
  @JsonInclude(Include.NON_NULL)
  record Register(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "tcp_port", required = true) int tcpPort,
      @JsonProperty("addresses") List<String> addresses,
      @JsonProperty("events") Boolean events)
      implements ClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "register";

    /**
     * Creates a registration that wants peer events.
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

    /** Validates the fields. */
    public Register {
      Nickname.requireValid(nickname);
      Protocol.requireValidPort("tcp_port", tcpPort);
      addresses = HostPort.requireValidList("addresses", addresses);
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
