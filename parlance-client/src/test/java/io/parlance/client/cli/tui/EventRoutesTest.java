package io.parlance.client.cli.tui;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory.LeaveReason;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.DeliveryState;
import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

class EventRoutesTest {

  private final ChatView view = new ChatView(false);
  private final EventRoutes routes =
      new EventRoutes(
          view,
          p -> p.id() == null ? "plain" : "verified",
          Clock.fixed(Instant.parse("2026-12-01T14:02:11Z"), ZoneOffset.UTC));

  private static PeerId id() throws Exception {
    return PeerId.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
  }

  private static Peer peer(String nickname, PeerId id) {
    return new Peer(
        nickname,
        new InetSocketAddress("127.0.0.1", 4000),
        Peer.LAN,
        id,
        id == null ? Set.of() : Set.of("tls", "ack"));
  }

  @Test
  void aPeerWithAnIdHasItsConversationUnderItsIdWhateverItsNickname() throws Exception {
    PeerId bobId = id();
    Peer bob = peer("bob", bobId);

    EventRoutes.Route joined = new NodeEvent.PeerJoined(bob).accept(routes);
    EventRoutes.Route message =
        new NodeEvent.MessageReceived("bob", "hi", 1, "127.0.0.1:4000", bobId).accept(routes);
    EventRoutes.Route renamed =
        new NodeEvent.PeerRenamed(bob, peer("robert", bobId)).accept(routes);

    assertThat(joined.keys()).containsExactly(ChatView.STATUS); // no conversation yet
    assertThat(message.keys()).containsExactly(bobId.toString());
    assertThat(message.unread()).isTrue();
    assertThat(renamed.keys()).containsExactly(ChatView.STATUS, bobId.toString());
    assertThat(view.name(bobId.toString())).isEqualTo("robert");
    assertThat(view.online(bobId.toString())).isTrue();
  }

  @Test
  void aPlainPeerIsKnownByItsNicknameAndGoesOfflineWhenItLeaves() {
    Peer rusty = peer("rusty", null);
    new NodeEvent.PeerJoined(rusty).accept(routes);
    new NodeEvent.MessageReceived("rusty", "yo", 1, "127.0.0.1:4000", null).accept(routes);

    EventRoutes.Route left = new NodeEvent.PeerLeft(rusty, LeaveReason.TIMEOUT).accept(routes);

    assertThat(left.keys()).containsExactly(ChatView.STATUS, "rusty");
    assertThat(view.online("rusty")).isFalse();
  }

  @Test
  void oursGoToThePeersConversationAndTheDeliveryTicksItWithoutALineOfItsOwn() throws Exception {
    Peer bob = peer("bob", id());
    EventRoutes.Route sent = new NodeEvent.MessageSent(bob, "hi", "m1").accept(routes);
    view.add(
        sent.keys().get(0),
        sent.name(),
        List.of(new AttributedString("→ bob: hi")),
        sent.messageId(),
        sent.unread());

    EventRoutes.Route delivered =
        new NodeEvent.Delivery("m1", "bob", bob.id().toString(), DeliveryState.DELIVERED, "hi")
            .accept(routes);

    assertThat(sent.keys()).containsExactly(bob.id().toString());
    assertThat(sent.unread()).isFalse();
    assertThat(delivered.keys()).isEmpty();
    assertThat(view.lines(bob.id().toString())).containsExactly("→ bob: hi ✓");
    assertThat(view.layout(80, 5, new InputLine.Snapshot("", 0), "> ").rows().get(3).toString())
        .contains("✓ bob 14:02:11");
  }

  @Test
  void problemsGoToTheConversationShownAndToTheStatusOne() {
    assertThat(new NodeEvent.Error("disk full").accept(routes).keys())
        .containsExactly(EventRoutes.CURRENT, ChatView.STATUS);
    assertThat(new NodeEvent.ServerStatus("disconnected", "unreachable").accept(routes).keys())
        .containsExactly(EventRoutes.CURRENT, ChatView.STATUS);
    assertThat(new NodeEvent.ServerStatus("registered", "ok").accept(routes).keys())
        .containsExactly(ChatView.STATUS);
  }

  @Test
  void theStatusLineSaysWhoWeAreHowWeFindPeersAndTheBootstrapState() {
    new NodeEvent.Ready("alice", 4000, null).accept(routes);
    new NodeEvent.ServerStatus("registered", "ok").accept(routes);
    new NodeEvent.NicknameChanged("alice", "ally").accept(routes);

    String status =
        view.layout(80, 5, new InputLine.Snapshot("", 0), "> ").rows().get(3).toString();

    assertThat(status).contains("ally · internet · bootstrap: registered");
  }

  @Test
  void aChangedKeyMarksAKnownConversation() throws Exception {
    Peer bob = peer("bob", id());
    String key = EventRoutes.key(bob);
    view.peerOnline(key, "bob", "verified", "lan");

    new NodeEvent.TrustWarning(bob, "the key of bob has changed").accept(routes);

    view.select(key, "bob");
    assertThat(view.layout(100, 5, new InputLine.Snapshot("", 0), "> ").rows().get(0).toString())
        .contains("KEY CHANGED");
  }

  @Test
  void aRoomHasAConversationOfItsOwnThatNoPeerCanShare() {
    EventRoutes.Route message =
        new NodeEvent.RoomActivity("message", "r1d", "team", "bob", null, "hi all").accept(routes);
    EventRoutes.Route invited =
        new NodeEvent.RoomActivity("invited", "r1d", "team", "bob", null, "bob invited you")
            .accept(routes);
    // A plain peer called like the room's key is another conversation.
    EventRoutes.Route plain =
        new NodeEvent.MessageReceived("r1d", "yo", 1, "127.0.0.1:4000", null).accept(routes);

    assertThat(message.keys()).containsExactly(EventRoutes.roomKey("r1d"));
    assertThat(message.name()).isEqualTo("#team");
    assertThat(message.unread()).isTrue();
    assertThat(invited.keys()).containsExactly(EventRoutes.roomKey("r1d"), ChatView.STATUS);
    assertThat(invited.unread()).isFalse();
    assertThat(EventRoutes.roomOf(message.keys().get(0))).isEqualTo("r1d");
    assertThat(EventRoutes.roomOf(plain.keys().get(0))).isNull();
  }
}
