package io.parlance.client.delivery;

import io.parlance.client.messaging.InboundMessage;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.protocol.wire.ChatLine;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives chat lines: stores each one (on the store thread), then has it acknowledged if it
 * carries an id and shows it if it was new. A duplicate (a re-send whose acknowledgement was lost)
 * is acknowledged again and not shown. Lines of one connection are stored, acknowledged and shown
 * in the order they arrived, since the store runs its work in order. The connection's handler
 * writes the acknowledgements and slows a sender that outruns the store.
 */
public final class Receiver implements InboundSink {

  /** The prefix of the local ids given to plain lines, which carry none. */
  public static final String LOCAL_ID_PREFIX = "local-";

  private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);

  private final AsyncMessageStore store;
  private final Function<InboundMessage, @Nullable String> keys;
  private final Consumer<InboundMessage> shown;
  private final Consumer<String> problem;

  /**
   * Creates the receiver.
   *
   * @param store the message store
   * @param keys the conversation key of a line's sender if it is known (a proven id, or a peer in
   *     the directory), else null; called on the event loop
   * @param shown told of each new message, after it is stored; called on the store thread
   * @param problem told when the store fails
   */
  public Receiver(
      AsyncMessageStore store,
      Function<InboundMessage, @Nullable String> keys,
      Consumer<InboundMessage> shown,
      Consumer<String> problem) {
    this.store = Objects.requireNonNull(store, "store");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.shown = Objects.requireNonNull(shown, "shown");
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  @Override
  public CompletionStage<Outcome> received(InboundMessage message) {
    ChatLine line = message.line();
    String known = keys.apply(message);
    boolean acknowledged = line.id() != null;
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    store.submit(
        s -> store(s, known, acknowledged, line, message.proven() != null),
        (isNew, error) -> {
          if (error != null) {
            outcome.complete(failed(message, acknowledged, error));
            return;
          }
          outcome.complete(acknowledged ? Outcome.ACKNOWLEDGE : Outcome.NOTHING);
          if (isNew) {
            shown.accept(message);
          }
        });
    return outcome;
  }

  private static boolean store(
      MessageStore s, @Nullable String known, boolean acknowledged, ChatLine line, boolean proven) {
    // A plain line's local id is made here, on the store thread: its random part may read the
    // system's entropy source, a file, which an event loop must not touch.
    String id = acknowledged ? line.id() : LOCAL_ID_PREFIX + s.newId();
    String key = known;
    if (key == null) {
      // Not discovered yet (a restart, say): file it under the key this nickname had before.
      key = acknowledged ? s.keyForNickname(line.from()).orElse(line.from()) : line.from();
    }
    // Verified: the sender proved over TLS the key the message is filed under.
    boolean verified = proven && key.equals(known);
    return s.receive(id, key, line.from(), line.content(), line.timestamp(), verified);
  }

  private Outcome failed(InboundMessage message, boolean acknowledged, Throwable error) {
    String from = message.line().from();
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    if (acknowledged) {
      // Not acknowledged, so the sender sends it again; close this connection so no later line
      // of it is stored before this one.
      LOG.warn(
          "[{}] Cannot store a message from {}; closing the connection so it is sent again: {}",
          message.connection(),
          from,
          why);
      problem.accept("cannot store a message from " + from + ": " + why);
      return Outcome.CLOSE;
    }
    // A plain peer cannot send it again: show it even though it is not kept.
    problem.accept("cannot store a message from " + from + " (shown, not kept): " + why);
    shown.accept(message);
    return Outcome.NOTHING;
  }
}
