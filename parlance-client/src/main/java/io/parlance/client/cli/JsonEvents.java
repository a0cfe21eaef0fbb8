package io.parlance.client.cli;

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
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Turns node events into the JSON objects of {@code --json} mode, one per line. */
final class JsonEvents {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonEvents() {}

  static ObjectNode event(String name) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("event", name);
    return node;
  }

  static ObjectNode error(String message) {
    return event("error").put("message", message);
  }

  static ObjectNode peers(List<Peer> peers, Function<Peer, String> trust) {
    ObjectNode node = event("peers");
    ArrayNode list = node.putArray("peers");
    for (Peer p : peers) {
      ObjectNode peer =
          list.addObject()
              .put("nickname", p.nickname())
              .put("address", p.addressText())
              .put("via", p.source());
      security(peer, p).put("trust", trust.apply(p));
    }
    return node;
  }

  /** Adds a peer's id (if it has one) and whether we talk to it encrypted. */
  private static ObjectNode security(ObjectNode node, Peer p) {
    if (p.id() != null) {
      node.put("id", p.id().value());
    }
    return node.put("encrypted", p.id() != null && p.has("tls"));
  }

  static ObjectNode verification(PeerNode.Verification v) {
    ObjectNode node = event("verify").put("our_id", v.ours().value());
    node.put("nickname", v.peer().nickname()).put("address", v.peer().addressText());
    if (v.peer().id() != null) {
      node.put("id", v.peer().id().value());
    }
    ArrayNode accepted = node.putArray("accepted_ids");
    v.remembered().forEach(id -> accepted.add(id.value()));
    return node;
  }

  private static ObjectNode message(ObjectNode node, NodeEvent.MessageReceived m) {
    node.put("from", m.from())
        .put("content", m.content())
        .put("timestamp", m.timestamp())
        .put("address", m.address())
        .put("verified", m.verified());
    if (m.senderId() != null) {
      node.put("id", m.senderId().value());
    }
    return node;
  }

  static ObjectNode help() {
    ObjectNode node = event("help");
    ArrayNode list = node.putArray("commands");
    Command.JSON_HELP.forEach(list::add);
    return node;
  }

  static ObjectNode inbox(List<NodeEvent.MessageReceived> messages) {
    ObjectNode node = event("inbox");
    ArrayNode list = node.putArray("messages");
    for (NodeEvent.MessageReceived m : messages) {
      message(list.addObject(), m);
    }
    return node;
  }

  /**
   * The answer to a send: {@code sent} when it was written, {@code queued} (with why) when it waits
   * in the outbox.
   */
  static ObjectNode outcome(Outgoing outgoing) {
    if (outgoing.state() == DeliveryState.SENT && outgoing.peer() != null) {
      return toJson(new NodeEvent.MessageSent(outgoing.peer(), outgoing.content(), outgoing.id()));
    }
    ObjectNode node = event("queued").put("to", outgoing.to()).put("id", outgoing.id());
    if (outgoing.note() != null) {
      node.put("reason", outgoing.note());
    }
    return node;
  }

  /** A stored message, as {@code history} and {@code search} list them. */
  static ObjectNode stored(StoredMessage m) {
    return MAPPER
        .createObjectNode()
        .put("id", m.id())
        .put("direction", m.direction() == Direction.OUT ? "out" : "in")
        .put("peer", m.peer())
        .put("nickname", m.nickname())
        .put("content", m.content())
        .put("timestamp", m.timestamp())
        .put("state", m.state().name().toLowerCase(Locale.ROOT));
  }

  /** The answer to {@code /history}: the conversation, oldest first. */
  static ObjectNode history(String peer, List<StoredMessage> messages) {
    ObjectNode node = event("history").put("peer", peer);
    ArrayNode list = node.putArray("messages");
    messages.forEach(m -> list.add(stored(m)));
    return node;
  }

  /** The answer to {@code /search}: the matches, most recent first. */
  static ObjectNode search(String query, List<StoredMessage> messages) {
    ObjectNode node = event("search").put("query", query);
    ArrayNode list = node.putArray("messages");
    messages.forEach(m -> list.add(stored(m)));
    return node;
  }

  static String toLine(ObjectNode node) {
    return node.toString();
  }

  static ObjectNode toJson(NodeEvent event) {
    if (event instanceof NodeEvent.Ready e) {
      ObjectNode ready = event("ready").put("nickname", e.nickname()).put("tcp_port", e.tcpPort());
      if (e.interfaceName() != null) {
        ready.put("interface", e.interfaceName());
      }
      return ready;
    }
    if (event instanceof NodeEvent.PeerJoined e) {
      return security(
          event("peer_joined")
              .put("nickname", e.peer().nickname())
              .put("address", e.peer().addressText())
              .put("via", e.peer().source()),
          e.peer());
    }
    if (event instanceof NodeEvent.PeerLeft e) {
      return event("peer_left")
          .put("nickname", e.peer().nickname())
          .put("address", e.peer().addressText())
          .put("reason", e.reason().name().toLowerCase(Locale.ROOT));
    }
    if (event instanceof NodeEvent.PeerRenamed e) {
      return event("peer_renamed")
          .put("nickname", e.after().nickname())
          .put("previous", e.before().nickname())
          .put("address", e.after().addressText());
    }
    if (event instanceof NodeEvent.MessageReceived e) {
      return message(event("message"), e);
    }
    if (event instanceof NodeEvent.MessageRejected e) {
      return event("rejected")
          .put("from", e.from())
          .put("address", e.address())
          .put("message", e.reason());
    }
    if (event instanceof NodeEvent.LineRefused e) {
      return event("line_refused")
          .put("from", e.from())
          .put("address", e.address())
          .put("bytes", e.bytes())
          .put("message", e.reason());
    }
    if (event instanceof NodeEvent.TrustWarning e) {
      return security(
          event("key_changed")
              .put("nickname", e.peer().nickname())
              .put("address", e.peer().addressText())
              .put("message", e.warning()),
          e.peer());
    }
    if (event instanceof NodeEvent.MessageSent e) {
      return event("sent")
          .put("to", e.to().nickname())
          .put("address", e.to().addressText())
          .put("id", e.id());
    }
    if (event instanceof NodeEvent.Delivery e) {
      return event("delivery")
          .put("id", e.id())
          .put("to", e.to())
          .put("peer", e.peerKey())
          .put("state", e.state().name().toLowerCase(Locale.ROOT));
    }
    if (event instanceof NodeEvent.SendFailed e) {
      SendException error = e.error();
      ObjectNode node =
          error(error.getMessage())
              .put("to", e.target())
              .put("reason", error.reason().name().toLowerCase(Locale.ROOT));
      if (!error.candidates().isEmpty()) {
        ArrayNode list = node.putArray("candidates");
        error.candidates().forEach(p -> list.add(p.qualifiedName()));
      }
      return node;
    }
    if (event instanceof NodeEvent.NicknameChanged e) {
      return event("nickname_changed").put("nickname", e.after()).put("previous", e.before());
    }
    if (event instanceof NodeEvent.Error e) {
      return error(e.message());
    }
    if (event instanceof NodeEvent.ServerStatus e) {
      return event("bootstrap").put("status", e.status()).put("message", e.message());
    }
    return event("stopped");
  }
}
