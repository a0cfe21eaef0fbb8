package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.PeerId;
import io.parlance.protocol.room.RoomIds;
import io.parlance.protocol.room.RoomMessage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonRendererTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final PeerId ID =
      new PeerId("OKTR-DRRS-IJJC-VXP7-YEAF-7TGX-VFMO-GBDG-JZJE-5CIS-STAK-IWKN-V5JA");

  @Test
  void anIdentityMismatchIsAnEventOfItsOwnWithThePeerAndWhatHappened() throws Exception {
    Peer bob =
        new Peer(
            "bob", new InetSocketAddress("127.0.0.1", 4000), Peer.LAN, ID, Set.of("tls", "ack"));
    JsonNode e =
        JSON.readTree(
            JsonRenderer.line(new NodeEvent.IdentityMismatch(bob, "it proved another key")));
    assertThat(e.path("event").asText()).isEqualTo("identity_mismatch");
    assertThat(e.path("nickname").asText()).isEqualTo("bob");
    assertThat(e.path("address").asText()).isEqualTo("127.0.0.1:4000");
    assertThat(e.path("id").asText()).isEqualTo(ID.value());
    assertThat(e.path("message").asText()).isEqualTo("it proved another key");
  }

  @Test
  void aMessageSaysWhoSentItAndWhetherItsKeyIsTheOnePinned() throws Exception {
    JsonNode other =
        JSON.readTree(
            JsonRenderer.line(
                new NodeEvent.MessageReceived(
                    "bob", "hi", 1, "127.0.0.1:4000", ID, "bob#OKTR", true)));
    assertThat(other.path("sender").asText()).isEqualTo("bob#OKTR");
    assertThat(other.path("verified").asBoolean()).isTrue();
    assertThat(other.path("pinned").asBoolean()).isFalse();
    JsonNode plain =
        JSON.readTree(
            JsonRenderer.line(
                new NodeEvent.MessageReceived("rusty", "hi", 1, "127.0.0.1:4000", null)));
    assertThat(plain.path("sender").asText()).isEqualTo("rusty");
    assertThat(plain.has("pinned")).isFalse();
  }

  @Test
  void hostileTextStaysOneJsonLineWithEveryControlCharacterEscaped() throws Exception {
    String hostile = TerminalTextTest.FAKE_LINE + "\u0000\u0007\u009b\u202e\u007f é 😀";
    String line =
        JsonRenderer.line(
            new NodeEvent.MessageReceived(hostile, hostile, 1, "127.0.0.1:4000", null));

    // JSON requires escaping C0 only; C1 (CSI) and bidi controls are escaped too, as a terminal
    // showing the output would act on them.
    assertThat(line)
        .doesNotContain("\n", "\r", "\u001b", "\u0000", "\u0007", "\u009b", "\u202e", "\u007f");
    assertThat(line).contains("\\n", "\\r", "\\u001B", "\\u0000", "\\u0007", "\\u009B", "\\u202E");
    JsonNode parsed = JSON.readTree(line);
    assertThat(parsed.path("event").asText()).isEqualTo("message");
    assertThat(parsed.path("content").asText()).isEqualTo(hostile);
    assertThat(parsed.path("from").asText()).isEqualTo(hostile);
    assertThat(parsed.path("verified").asBoolean()).isFalse();
  }

  @Test
  void repliesKeepTheEventsTheJsonFacesAlwaysAnswered() throws Exception {
    Peer bob = new Peer("bob", new InetSocketAddress("127.0.0.1", 4000), Peer.LAN);

    JsonNode peers =
        JSON.readTree(JsonRenderer.line(new Reply.Peers(List.of(new Reply.Listed(bob, "plain")))));
    JsonNode failure = JSON.readTree(JsonRenderer.line(new Reply.Failure("no such peer")));
    JsonNode renamed = JSON.readTree(JsonRenderer.line(new Reply.NicknameChanged("a", "b")));

    assertThat(peers.path("event").asText()).isEqualTo("peers");
    assertThat(peers.path("peers").get(0).path("nickname").asText()).isEqualTo("bob");
    assertThat(peers.path("peers").get(0).path("trust").asText()).isEqualTo("plain");
    assertThat(peers.path("peers").get(0).path("encrypted").asBoolean()).isFalse();
    assertThat(failure.path("event").asText()).isEqualTo("error");
    assertThat(failure.path("message").asText()).isEqualTo("no such peer");
    assertThat(renamed.path("event").asText()).isEqualTo("nickname_changed");
    assertThat(renamed.path("previous").asText()).isEqualTo("a");
    assertThat(JsonRenderer.line(new Reply.Clear())).isNull();
    assertThat(JsonRenderer.line(new NodeEvent.Stopped())).isEqualTo("{\"event\":\"stopped\"}");
  }

  @Test
  void roomSaidNamesTheMessageByItsIdAndClockBesideTheRoomsOwnFields() throws Exception {
    RoomMessage m =
        new RoomMessage(RoomIds.random(), RoomIds.random(), "alice", 3, 42, "hi", "c2ln");
    JsonNode said = JSON.readTree(JsonRenderer.line(Reply.RoomReply.said("lab", m)));
    assertThat(said.path("event").asText()).isEqualTo("room_said");
    assertThat(said.path("room").asText()).isEqualTo("lab");
    assertThat(said.path("message_id").asText()).isEqualTo(m.id());
    assertThat(said.path("clock").asLong()).isEqualTo(42);
    assertThat(said.has("id")).as("'id' stays the room's, where a reply names the room").isFalse();
    assertThat(said.has("message")).isFalse();

    String room = RoomIds.random();
    JsonNode joined =
        JSON.readTree(
            JsonRenderer.line(
                Reply.RoomReply.done(
                    "joined",
                    new io.parlance.client.node.Rooms.Info(room, "lab", 2, 3, true),
                    "Joined room 'lab' (3 members)")));
    assertThat(joined.path("id").asText()).isEqualTo(room);
    assertThat(joined.path("version").asLong()).isEqualTo(2);
    assertThat(joined.path("message").asText()).isEqualTo("Joined room 'lab' (3 members)");
    assertThat(joined.has("message_id")).isFalse();
    assertThat(joined.has("clock")).isFalse();
  }
}
