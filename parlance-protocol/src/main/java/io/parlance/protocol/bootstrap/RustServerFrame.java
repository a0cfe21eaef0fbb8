package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/**
 * A frame a Rust Parlance bootstrap server sends (its {@code ServerMessage}). It sends nothing
 * unasked: {@link Registered} answers a registration, {@link PeerList} a {@code list_peers}, and
 * {@link Error} anything it cannot take. A Rust client drops its connection on any {@link Error}
 * and on any frame of another type, so a server never sends it one of ours.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(
      value = RustServerFrame.Registered.class,
      name = RustServerFrame.Registered.TYPE),
  @JsonSubTypes.Type(value = RustServerFrame.PeerList.class, name = RustServerFrame.PeerList.TYPE),
  @JsonSubTypes.Type(value = RustServerFrame.Error.class, name = RustServerFrame.Error.TYPE)
})
public sealed interface RustServerFrame extends BootstrapFrame
    permits RustServerFrame.Registered, RustServerFrame.PeerList, RustServerFrame.Error {

  /**
   * {@code {"type":"registered","peer_id":"<uuid>","public_addr":"203.0.113.7:5000"}}.
   *
   * @param peerId the id the server gave this registration; the peer finds itself in lists by it
   * @param publicAddr the connection's source IP with the port of the registered {@code local_addr}
   */
  @JsonPropertyOrder({"peer_id", "public_addr"})
  record Registered(
      @JsonProperty(value = "peer_id", required = true) String peerId,
      @JsonProperty(value = "public_addr", required = true) String publicAddr)
      implements RustServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "registered";

    /** Checks that both fields are present. */
    @JsonCreator
    public Registered {
      RustPeerInfo.requireText("peer_id", peerId);
      RustPeerInfo.requireText("public_addr", publicAddr);
    }
  }

  /**
   * {@code {"type":"peer_list","peers":[...]}}: every registered peer, the asking one included.
   *
   * @param peers the peers
   */
  record PeerList(@JsonProperty(value = "peers", required = true) List<RustPeerInfo> peers)
      implements RustServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "peer_list";

    /** Checks the list. */
    @JsonCreator
    public PeerList {
      if (peers == null) {
        throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'peers' is null");
      }
      for (RustPeerInfo peer : peers) {
        if (peer == null) {
          throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'peers' holds a null");
        }
      }
      peers = List.copyOf(peers);
    }
  }

  /**
   * {@code {"type":"error","message":"Not registered"}}: no code, only words.
   *
   * @param message what went wrong
   */
  record Error(@JsonProperty(value = "message", required = true) String message)
      implements RustServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "error";

    /** Checks the message is present. */
    @JsonCreator
    public Error {
      if (message == null) {
        throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'message' is null");
      }
    }
  }
}
