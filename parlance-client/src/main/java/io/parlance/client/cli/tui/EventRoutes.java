package io.parlance.client.cli.tui;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Tells which conversations a node event's lines go to, and updates the {@link ChatView}'s state
 * with what the event says (a peer online or gone, a delivery, the bootstrap state): a message to
 * its peer's conversation (unread if another is shown), a peer joining or leaving to the status
 * conversation and its own, a problem to the conversation shown.
 */
public final class EventRoutes implements NodeEvent.Visitor<EventRoutes.Route> {

  /** Stands for the conversation shown when the event is routed. */
  public static final String CURRENT = "\u0000current";

  /** The start of a room's conversation key (peer ids and nicknames never contain a NUL). */
  private static final String ROOM = "\u0000room:";

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /**
   * Where an event's lines go.
   *
   * @param keys the conversations, {@link #CURRENT} for the one shown; empty to show nothing
   * @param name the peer's nickname, for a conversation that is new
   * @param messageId our message's id, to tick its line when delivered, or null
   * @param unread true for a message from a peer
   */
  public record Route(List<String> keys, String name, String messageId, boolean unread) {

    /** Nowhere: the event changes the state only. */
    static final Route NOWHERE = new Route(List.of(), null, null, false);
  }

  private final ChatView view;
  private final Function<Peer, String> trust;
  private final Clock clock;

  /**
   * Creates the router.
   *
   * @param view the view to update
   * @param trust how far a peer is trusted: {@code verified}, {@code plain} or {@code changed}
   * @param clock the time of delivery ticks
   */
  public EventRoutes(ChatView view, Function<Peer, String> trust, Clock clock) {
    this.view = Objects.requireNonNull(view, "view");
    this.trust = Objects.requireNonNull(trust, "trust");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns a peer's conversation key: its id, or its nickname for a plain peer, as deliveries and
   * the store file conversations.
   *
   * @param peer the peer
   * @return the key
   */
  public static String key(Peer peer) {
    return peer.id() != null ? peer.id().toString() : peer.nickname();
  }

  private static Route status(String name, String peerKey) {
    List<String> keys = new ArrayList<>(List.of(ChatView.STATUS));
    if (peerKey != null) {
      keys.add(peerKey);
    }
    return new Route(List.copyOf(keys), name, null, false);
  }

  private static Route problem() {
    return new Route(List.of(CURRENT, ChatView.STATUS), null, null, false);
  }

  @Override
  public Route ready(NodeEvent.Ready e) {
    view.self(e.nickname(), e.interfaceName() == null ? "internet" : "lan on " + e.interfaceName());
    return status(null, null);
  }

  @Override
  public Route peerJoined(NodeEvent.PeerJoined e) {
    Peer p = e.peer();
    String key = key(p);
    boolean known = view.keys().contains(key);
    view.peerOnline(key, p.nickname(), trust.apply(p), p.source());
    return status(p.nickname(), known ? key : null);
  }

  @Override
  public Route peerLeft(NodeEvent.PeerLeft e) {
    String key = key(e.peer());
    view.peerOffline(key);
    return status(e.peer().nickname(), view.keys().contains(key) ? key : null);
  }

  @Override
  public Route peerRenamed(NodeEvent.PeerRenamed e) {
    String before = key(e.before());
    String after = key(e.after());
    if (!before.equals(after)) {
      view.peerOffline(before);
    }
    view.peerOnline(after, e.after().nickname(), trust.apply(e.after()), e.after().source());
    return status(e.after().nickname(), after);
  }

  @Override
  public Route messageReceived(NodeEvent.MessageReceived e) {
    String key = e.senderId() != null ? e.senderId().toString() : e.from();
    return new Route(List.of(key), e.sender(), null, true);
  }

  @Override
  public Route messageRejected(NodeEvent.MessageRejected e) {
    return problem();
  }

  @Override
  public Route lineRefused(NodeEvent.LineRefused e) {
    return problem();
  }

  @Override
  public Route trustWarning(NodeEvent.TrustWarning e) {
    String key = key(e.peer());
    if (view.keys().contains(key)) {
      view.peerOnline(key, e.peer().nickname(), "changed", e.peer().source());
    }
    return problem();
  }

  @Override
  public Route identityMismatch(NodeEvent.IdentityMismatch e) {
    String key = key(e.peer());
    if (view.keys().contains(key)) {
      view.peerOnline(key, e.peer().nickname(), "changed", e.peer().source());
    }
    return problem();
  }

  @Override
  public Route messageSent(NodeEvent.MessageSent e) {
    return new Route(List.of(key(e.to())), e.to().nickname(), e.id(), false);
  }

  @Override
  public Route delivery(NodeEvent.Delivery e) {
    if (e.state() == DeliveryState.DELIVERED) {
      view.delivered(
          e.id(), "✓ " + ChatView.visible(e.to()) + " " + LocalTime.now(clock).format(CLOCK));
    }
    return Route.NOWHERE;
  }

  @Override
  public Route sendFailed(NodeEvent.SendFailed e) {
    return problem();
  }

  @Override
  public Route nicknameChanged(NodeEvent.NicknameChanged e) {
    view.nickname(e.after());
    return status(null, null);
  }

  @Override
  public Route error(NodeEvent.Error e) {
    return problem();
  }

  @Override
  public Route serverStatus(NodeEvent.ServerStatus e) {
    view.bootstrap(e.status());
    return e.status().equals("registered") ? status(null, null) : problem();
  }

  @Override
  public Route room(NodeEvent.RoomActivity e) {
    String key = roomKey(e.room());
    String name = "#" + e.roomName();
    if (e.kind().equals("message")) {
      return new Route(List.of(key), name, null, true);
    }
    // An invitation, a change, a vote or a refusal: in the room's conversation and the status one.
    return new Route(List.of(key, ChatView.STATUS), name, null, false);
  }

  /**
   * Returns a room's conversation key.
   *
   * @param roomId the room's id
   * @return the key, never one of a peer's
   */
  public static String roomKey(String roomId) {
    return ROOM + roomId;
  }

  /**
   * Returns the room id of a conversation key, if it is a room's.
   *
   * @param key the conversation key
   * @return the room id, or null for a peer's or the status conversation
   */
  public static String roomOf(String key) {
    return key.startsWith(ROOM) ? key.substring(ROOM.length()) : null;
  }

  @Override
  public Route stopped(NodeEvent.Stopped e) {
    return Route.NOWHERE;
  }
}
