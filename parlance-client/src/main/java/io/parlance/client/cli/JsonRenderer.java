package io.parlance.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.Direction;
import io.parlance.client.store.StoredMessage;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * Renders replies and node events as the JSON objects of the JSON-lines faces ({@code --json} mode
 * and the control socket), one per line. Written through {@link #write}, every control character of
 * a string is escaped: the C0 controls as JSON requires, and also DEL, the C1 controls (CSI, OSC,
 * ...), the bidirectional controls and U+2028/U+2029, which plain JSON leaves raw and a terminal
 * showing the output would act on. Stateless: use {@link #INSTANCE}.
 */
final class JsonRenderer implements Reply.Visitor<ObjectNode>, NodeEvent.Visitor<ObjectNode> {

  static final JsonRenderer INSTANCE = new JsonRenderer();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER.getFactory().setCharacterEscapes(new TerminalSafeEscapes());
  }

  private JsonRenderer() {}

  /**
   * Writes a JSON value as one line, with every control character escaped.
   *
   * @param json the value
   * @return its text, without a line break
   */
  static String write(JsonNode json) {
    try {
      return MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write a JSON tree", e); // a tree always writes
    }
  }

  /**
   * Renders an event as one line.
   *
   * @param event the event
   * @return the JSON object, without a line break
   */
  static String line(NodeEvent event) {
    return write(event.accept(INSTANCE));
  }

  /**
   * Renders a reply as one line.
   *
   * @param reply the reply
   * @return the JSON object without a line break, or null if the reply has nothing to say in JSON
   *     (clearing the screen)
   */
  static String line(Reply reply) {
    ObjectNode json = reply.accept(INSTANCE);
    return json == null ? null : write(json);
  }

  static ObjectNode event(String name) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("event", name);
    return node;
  }

  static ObjectNode error(String message) {
    return event("error").put("message", message);
  }

  /**
   * Adds a peer's id (if it has one), whether we talk to it encrypted, and whether it takes mail
   * through the bootstrap server's mailbox.
   */
  private static ObjectNode security(ObjectNode node, Peer p) {
    if (p.id() != null) {
      node.put("id", p.id().value());
    }
    return node.put("encrypted", p.id() != null && p.has("tls"))
        .put("mail", p.id() != null && p.has("mail"));
  }

  private static ObjectNode message(ObjectNode node, NodeEvent.MessageReceived m) {
    node.put("from", m.from())
        .put("content", m.content())
        .put("timestamp", m.timestamp())
        .put("address", m.address())
        .put("verified", m.verified());
    if (m.senderId() != null) {
      node.put("id", m.senderId().value()).put("pinned", !m.unpinned());
    }
    return node.put("sender", m.sender());
  }

  /** A stored message, as {@code history} and {@code search} list them. */
  static ObjectNode stored(StoredMessage m) {
    ObjectNode node =
        MAPPER
            .createObjectNode()
            .put("id", m.id())
            .put("direction", m.direction() == Direction.OUT ? "out" : "in")
            .put("peer", m.peer())
            .put("nickname", m.nickname())
            .put("content", m.content())
            .put("timestamp", m.timestamp())
            .put("state", m.state().name().toLowerCase(Locale.ROOT));
    if (m.direction() == Direction.IN) {
      node.put("verified", !m.unverified());
    }
    return node;
  }

  /** A stored room message, as room history and search list them. */
  static ObjectNode roomRow(io.parlance.client.store.MessageStore.RoomRow m) {
    return MAPPER
        .createObjectNode()
        .put("room", m.room())
        .put("id", m.id())
        .put("author", m.author())
        .put("nickname", m.nickname())
        .put("clock", m.clock())
        .put("text", m.text())
        .put("created_ms", m.createdMs());
  }

  private static ObjectNode stored(ObjectNode node, List<StoredMessage> messages) {
    ArrayNode list = node.putArray("messages");
    messages.forEach(m -> list.add(stored(m)));
    return node;
  }

  private static ObjectNode sendFailed(String target, SendException error) {
    ObjectNode node =
        error(error.getMessage())
            .put("to", target)
            .put("reason", error.reason().name().toLowerCase(Locale.ROOT));
    if (!error.candidates().isEmpty()) {
      ArrayNode list = node.putArray("candidates");
      error.candidates().forEach(p -> list.add(p.qualifiedName()));
    }
    return node;
  }

  private static ObjectNode nicknameChanged(String before, String after) {
    return event("nickname_changed").put("nickname", after).put("previous", before);
  }

  // Replies

  @Override
  public ObjectNode peers(Reply.Peers reply) {
    ObjectNode node = event("peers");
    ArrayNode list = node.putArray("peers");
    for (Reply.Listed listed : reply.peers()) {
      Peer p = listed.peer();
      ObjectNode peer =
          list.addObject()
              .put("nickname", p.nickname())
              .put("address", p.addressText())
              .put("via", p.source());
      security(peer, p).put("trust", listed.trust());
      if (listed.path() != null) {
        peer.put("path", listed.path()); // "direct" or "relayed via <server>"
      }
    }
    return node;
  }

  /**
   * {@code sent} when it was written, {@code queued} (with why) when it waits in the outbox.
   *
   * @param reply the outcome
   * @return the event
   */
  @Override
  public ObjectNode sendOutcome(Reply.SendOutcome reply) {
    Outgoing outgoing = reply.outgoing();
    if (outgoing.state() == DeliveryState.SENT && outgoing.peer() != null) {
      return messageSent(
          new NodeEvent.MessageSent(outgoing.peer(), outgoing.content(), outgoing.id()));
    }
    ObjectNode node = event("queued").put("to", outgoing.to()).put("id", outgoing.id());
    if (outgoing.note() != null) {
      node.put("reason", outgoing.note());
    }
    return node;
  }

  @Override
  public ObjectNode sendFailed(Reply.SendFailed reply) {
    return sendFailed(reply.target(), reply.error());
  }

  @Override
  public ObjectNode nicknameChanged(Reply.NicknameChanged reply) {
    return nicknameChanged(reply.before(), reply.after());
  }

  @Override
  public ObjectNode nicknameRefused(Reply.NicknameRefused reply) {
    return error("cannot change the nickname: " + reply.reason());
  }

  @Override
  public ObjectNode verification(Reply.Verification reply) {
    PeerNode.Verification v = reply.verification();
    ObjectNode node = event("verify").put("our_id", v.ours().value());
    node.put("nickname", v.peer().nickname()).put("address", v.peer().addressText());
    if (v.peer().id() != null) {
      node.put("id", v.peer().id().value());
    }
    ArrayNode accepted = node.putArray("accepted_ids");
    v.remembered().forEach(id -> accepted.add(id.value()));
    return node;
  }

  @Override
  public ObjectNode trusted(Reply.Trusted reply) {
    ObjectNode node = event("trusted").put("nickname", reply.peer().nickname());
    if (reply.peer().id() != null) {
      node.put("id", reply.peer().id().value());
    }
    return node;
  }

  /** The conversation, oldest first. */
  @Override
  public ObjectNode history(Reply.History reply) {
    return stored(event("history").put("peer", reply.peer()), reply.messages());
  }

  /** The matches, most recent first. */
  @Override
  public ObjectNode found(Reply.Found reply) {
    return stored(event("search").put("query", reply.query()), reply.messages());
  }

  @Override
  public ObjectNode inbox(Reply.Inbox reply) {
    ObjectNode node = event("inbox");
    ArrayNode list = node.putArray("messages");
    for (NodeEvent.MessageReceived m : reply.messages()) {
      message(list.addObject(), m);
    }
    return node;
  }

  @Override
  public ObjectNode following(Reply.Following reply) {
    return event("following");
  }

  @Override
  public ObjectNode help(Reply.Help reply) {
    ObjectNode node = event("help");
    ArrayNode list = node.putArray("commands");
    Command.JSON_HELP.forEach(list::add);
    return node;
  }

  /** Nothing: there is no screen to clear. */
  @Override
  public ObjectNode clear(Reply.Clear reply) {
    return null;
  }

  @Override
  public ObjectNode room(Reply.RoomReply reply) {
    ObjectNode node = event("room_" + reply.kind()).put("room", reply.room());
    if (reply.about() != null) {
      node.put("id", reply.about().id())
          .put("version", reply.about().version())
          .put("members", reply.about().members());
    }
    if (reply.said() != null) {
      // "id" is the room's where a reply names the room; the message's gets its own name.
      node.put("message_id", reply.said().id()).put("clock", reply.said().clock());
    }
    if (!reply.note().isEmpty()) {
      node.put("message", reply.note());
    }
    if (reply.kind().equals("rooms")) {
      ArrayNode list = node.putArray("rooms");
      for (io.parlance.client.node.Rooms.Info r : reply.rooms()) {
        list.addObject()
            .put("id", r.id())
            .put("name", r.name())
            .put("version", r.version())
            .put("members", r.members())
            .put("member", r.member());
      }
    }
    if (reply.kind().equals("members")) {
      ArrayNode list = node.putArray("members");
      for (io.parlance.client.node.Rooms.MemberInfo m : reply.members()) {
        list.addObject()
            .put("id", m.id())
            .put("nickname", m.nickname())
            .put("role", m.role())
            .put("online", m.online())
            .put("waiting", m.waiting())
            .put("deposited", m.deposited());
      }
    }
    if (reply.kind().equals("history") || reply.kind().equals("found")) {
      ArrayNode list = node.putArray("messages");
      for (io.parlance.client.store.MessageStore.RoomRow m : reply.messages()) {
        list.add(roomRow(m));
      }
    }
    if (reply.kind().equals("proposals")) {
      ArrayNode list = node.putArray("proposals");
      for (io.parlance.client.node.Rooms.ProposalInfo p : reply.proposals()) {
        list.addObject()
            .put("id", p.digest())
            .put("change", p.what())
            .put("votes", p.votes())
            .put("needed", p.needed())
            .put("passed", p.passed());
      }
    }
    return node;
  }

  @Override
  public ObjectNode failure(Reply.Failure reply) {
    return error(reply.message());
  }

  // Events

  @Override
  public ObjectNode ready(NodeEvent.Ready e) {
    ObjectNode ready = event("ready").put("nickname", e.nickname()).put("tcp_port", e.tcpPort());
    if (e.interfaceName() != null) {
      ready.put("interface", e.interfaceName());
    }
    return ready;
  }

  @Override
  public ObjectNode peerJoined(NodeEvent.PeerJoined e) {
    return security(
        event("peer_joined")
            .put("nickname", e.peer().nickname())
            .put("address", e.peer().addressText())
            .put("via", e.peer().source()),
        e.peer());
  }

  @Override
  public ObjectNode peerLeft(NodeEvent.PeerLeft e) {
    return event("peer_left")
        .put("nickname", e.peer().nickname())
        .put("address", e.peer().addressText())
        .put("reason", e.reason().name().toLowerCase(Locale.ROOT));
  }

  @Override
  public ObjectNode peerRenamed(NodeEvent.PeerRenamed e) {
    return event("peer_renamed")
        .put("nickname", e.after().nickname())
        .put("previous", e.before().nickname())
        .put("address", e.after().addressText());
  }

  @Override
  public ObjectNode messageReceived(NodeEvent.MessageReceived e) {
    return message(event("message"), e);
  }

  @Override
  public ObjectNode room(NodeEvent.RoomActivity e) {
    return event("room_" + e.kind())
        .put("room", e.room())
        .put("name", e.roomName())
        .put("from", e.from())
        .put("from_id", e.fromId())
        .put("text", e.text());
  }

  @Override
  public ObjectNode messageRejected(NodeEvent.MessageRejected e) {
    return event("rejected")
        .put("from", e.from())
        .put("address", e.address())
        .put("message", e.reason());
  }

  @Override
  public ObjectNode lineRefused(NodeEvent.LineRefused e) {
    return event("line_refused")
        .put("from", e.from())
        .put("address", e.address())
        .put("bytes", e.bytes())
        .put("message", e.reason());
  }

  @Override
  public ObjectNode trustWarning(NodeEvent.TrustWarning e) {
    return security(
        event("key_changed")
            .put("nickname", e.peer().nickname())
            .put("address", e.peer().addressText())
            .put("message", e.warning()),
        e.peer());
  }

  @Override
  public ObjectNode identityMismatch(NodeEvent.IdentityMismatch e) {
    return security(
        event("identity_mismatch")
            .put("nickname", e.peer().nickname())
            .put("address", e.peer().addressText())
            .put("message", e.message()),
        e.peer());
  }

  @Override
  public ObjectNode messageSent(NodeEvent.MessageSent e) {
    return event("sent")
        .put("to", e.to().nickname())
        .put("address", e.to().addressText())
        .put("id", e.id());
  }

  @Override
  public ObjectNode delivery(NodeEvent.Delivery e) {
    return event("delivery")
        .put("id", e.id())
        .put("to", e.to())
        .put("peer", e.peerKey())
        .put("state", e.state().name().toLowerCase(Locale.ROOT));
  }

  @Override
  public ObjectNode sendFailed(NodeEvent.SendFailed e) {
    return sendFailed(e.target(), e.error());
  }

  @Override
  public ObjectNode nicknameChanged(NodeEvent.NicknameChanged e) {
    return nicknameChanged(e.before(), e.after());
  }

  @Override
  public ObjectNode error(NodeEvent.Error e) {
    return error(e.message());
  }

  @Override
  public ObjectNode serverStatus(NodeEvent.ServerStatus e) {
    return event("bootstrap").put("status", e.status()).put("message", e.message());
  }

  @Override
  public ObjectNode stopped(NodeEvent.Stopped e) {
    return event("stopped");
  }

  /** JSON's escapes, and those of the characters a terminal would act on that JSON leaves raw. */
  private static final class TerminalSafeEscapes extends CharacterEscapes {

    private static final long serialVersionUID = 1L;

    private final int[] ascii = standardAsciiEscapesForJSON();

    TerminalSafeEscapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if ((ch >= 0x80 && ch <= 0x9f)
          || ch == 0x2028
          || ch == 0x2029
          || TerminalText.isBidiControl(ch)) {
        return new SerializedString(String.format(Locale.ROOT, "\\u%04X", ch));
      }
      return null;
    }
  }
}
