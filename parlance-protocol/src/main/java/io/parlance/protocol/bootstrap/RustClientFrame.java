package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * A frame a Rust Parlance peer sends to a bootstrap server (its {@code ClientMessage}, serde's
 * internally tagged enum with snake-case tags). The Rust peer sends {@link Register} right after
 * the WebSocket handshake, then {@link ListPeers} every 5 s and {@link Heartbeat} every 10 s, and
 * {@link Unregister} when it quits. {@code {"type":"unregister"}} reads as {@link
 * ClientFrame.Unregister} too; the connection's dialect decides how it is answered.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RustClientFrame.Register.class, name = RustClientFrame.Register.TYPE),
  @JsonSubTypes.Type(
      value = RustClientFrame.ListPeers.class,
      name = RustClientFrame.ListPeers.TYPE),
  @JsonSubTypes.Type(
      value = RustClientFrame.Heartbeat.class,
      name = RustClientFrame.Heartbeat.TYPE),
  @JsonSubTypes.Type(
      value = RustClientFrame.Unregister.class,
      name = RustClientFrame.Unregister.TYPE)
})
public sealed interface RustClientFrame extends BootstrapFrame
    permits RustClientFrame.Register,
        RustClientFrame.ListPeers,
        RustClientFrame.Heartbeat,
        RustClientFrame.Unregister {

  /**
   * {@code {"type":"register","nickname":"alice","local_addr":"192.168.1.100:5000"}}: the Rust
   * server answers {@link RustServerFrame.Registered} with the connection's source IP and the port
   * of {@code local_addr}.
   *
   * @param nickname the nickname, valid by Parlance's rules
   * @param localAddr the peer's own {@code ip:port}, as it sees it (at most {@link
   *     HostPort#MAX_CHARS} characters; the server parses it)
   */
  @JsonPropertyOrder({"nickname", "local_addr"})
  record Register(
      @JsonProperty(value = "nickname", required = true) String nickname,
      @JsonProperty(value = "local_addr", required = true) String localAddr)
      implements RustClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "register";

    /**
     * Validates the fields.
     *
     * @throws ProtocolException if the nickname is invalid or the address missing or too long
     */
    @JsonCreator
    public Register {
      Nickname.requireValid(nickname);
      if (localAddr == null || localAddr.isEmpty() || localAddr.length() > HostPort.MAX_CHARS) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE,
            "field 'local_addr' must be an ip:port of 1-" + HostPort.MAX_CHARS + " characters");
      }
    }
  }

  /** {@code {"type":"list_peers"}}: answered by {@link RustServerFrame.PeerList}. */
  record ListPeers() implements RustClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "list_peers";
  }

  /** {@code {"type":"heartbeat"}}: keeps the registration fresh; not answered when registered. */
  record Heartbeat() implements RustClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "heartbeat";
  }

  /** {@code {"type":"unregister"}}: ends the registration; not answered. */
  record Unregister() implements RustClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "unregister";
  }
}
