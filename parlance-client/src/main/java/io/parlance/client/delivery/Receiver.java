package io.parlance.client.delivery;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.protocol.wire.Ack;
import io.parlance.protocol.wire.ChatLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives chat lines: stores each one (on the store thread), then acknowledges it if it carries an
 * id and shows it if it was new. The acks of the lines one transaction stored leave together. A
 * duplicate (a re-send whose acknowledgement was lost) is acknowledged again and not shown. Lines
 * of one connection are stored, acknowledged and shown in the order they arrived, since the store
 * runs its work in order.
 *
 * <p>A connection with more than {@value #HIGH_WATER} lines (or {@value #HIGH_WATER_CHARS}
 * characters of content) waiting for the store stops being read until it is down to {@value
 * #LOW_WATER} (and {@value #LOW_WATER_CHARS}), so a fast sender slows to the disk's pace instead of
 * filling the heap, with lines of up to 1 MiB too.
 */
public final class Receiver implements InboundSink {

  /** Lines of one connection waiting for the store at which reading it pauses. */
  static final int HIGH_WATER = 256;

  /** Lines of one connection waiting for the store at which reading it resumes. */
  static final int LOW_WATER = 64;

  /** Characters of content of one connection waiting for the store at which reading it pauses. */
  static final int HIGH_WATER_CHARS = 4 * 1024 * 1024;

  /** Characters of content of one connection waiting for the store at which reading resumes. */
  static final int LOW_WATER_CHARS = 1024 * 1024;

  /** The prefix of the local ids given to plain lines, which carry none. */
  public static final String LOCAL_ID_PREFIX = "local-";

  private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
  private static final AttributeKey<Pending> PENDING =
      AttributeKey.valueOf(Receiver.class, "pending");

  /**
   * One connection's lines in the store's hands. The store thread reports each one settled; one
   * task on the connection's event loop then writes the acks of all settled so far with one flush
   * (one TLS record and one system call for a whole group commit, not one per message) and resumes
   * reading when few are left.
   */
  private static final class Pending implements Runnable {
    private final Channel channel;
    private int inStore; // event loop only
    private long charsInStore; // event loop only
    private final Object lock = new Object();
    private List<Ack> acks = new ArrayList<>(); // guarded by lock
    private int settled; // guarded by lock
    private long settledChars; // guarded by lock
    private boolean scheduled; // guarded by lock

    private Pending(Channel channel) {
      this.channel = channel;
    }

    /** Called on the store thread once a line is stored (or failed), with its ack or null. */
    void settled(Ack ack, int chars) {
      boolean schedule;
      synchronized (lock) {
        if (ack != null) {
          acks.add(ack);
        }
        settled++;
        settledChars += chars;
        schedule = !scheduled;
        scheduled = true;
      }
      if (schedule) {
        try {
          channel.eventLoop().execute(this);
        } catch (RejectedExecutionException e) {
          LOG.debug("[{}] Event loop gone; nothing to resume", channel.id().asShortText());
        }
      }
    }

    @Override
    public void run() {
      List<Ack> toWrite;
      int done;
      long doneChars;
      synchronized (lock) {
        toWrite = acks;
        done = settled;
        doneChars = settledChars;
        acks = new ArrayList<>();
        settled = 0;
        settledChars = 0;
        scheduled = false;
      }
      if (!toWrite.isEmpty() && channel.isActive()) {
        for (Ack ack : toWrite) {
          channel.write(ack, channel.voidPromise());
        }
        channel.flush();
      }
      inStore -= done;
      charsInStore -= doneChars;
      if (inStore <= LOW_WATER
          && charsInStore <= LOW_WATER_CHARS
          && !channel.config().isAutoRead()) {
        channel.config().setAutoRead(true);
      }
    }
  }

  private final AsyncMessageStore store;
  private final BiFunction<ChatLine, Channel, String> keys;
  private final BiConsumer<ChatLine, Channel> shown;
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
      BiFunction<ChatLine, Channel, String> keys,
      BiConsumer<ChatLine, Channel> shown,
      Consumer<String> problem) {
    this.store = Objects.requireNonNull(store, "store");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.shown = Objects.requireNonNull(shown, "shown");
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  @Override
  public void received(ChatLine line, Channel channel) {
    String known = keys.apply(line, channel);
    boolean acknowledged = line.id() != null;
    String id = acknowledged ? line.id() : LOCAL_ID_PREFIX + UUID.randomUUID();
    Pending pending = channel.attr(PENDING).get();
    if (pending == null) {
      pending = new Pending(channel);
      channel.attr(PENDING).set(pending);
    }
    int chars = line.content().length();
    pending.charsInStore += chars;
    if (++pending.inStore >= HIGH_WATER || pending.charsInStore >= HIGH_WATER_CHARS) {
      channel.config().setAutoRead(false);
    }
    Pending settle = pending;
    store.submit(
        s -> store(s, known, acknowledged, id, line),
        (isNew, error) -> {
          if (error != null) {
            settle.settled(null, chars);
            failed(line, channel, acknowledged, error);
            return;
          }
          settle.settled(acknowledged ? new Ack(id) : null, chars);
          if (isNew) {
            shown.accept(line, channel);
          }
        });
  }

  private static boolean store(
      MessageStore s, String known, boolean acknowledged, String id, ChatLine line) {
    String key = known;
    if (key == null) {
      // Not discovered yet (a restart, say): file it under the key this nickname had before.
      key = acknowledged ? s.keyForNickname(line.from()).orElse(line.from()) : line.from();
    }
    return s.receive(id, key, line.from(), line.content(), line.timestamp());
  }

  private void failed(ChatLine line, Channel channel, boolean acknowledged, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    if (acknowledged) {
      // Not acknowledged, so the sender sends it again; stop reading this connection so no
      // later line of it is stored before this one.
      LOG.warn(
          "[{}] Cannot store a message from {}; closing the connection so it is sent again: {}",
          channel.id().asShortText(),
          line.from(),
          why);
      channel.close();
      problem.accept("cannot store a message from " + line.from() + ": " + why);
    } else {
      // A plain peer cannot send it again: show it even though it is not kept.
      problem.accept("cannot store a message from " + line.from() + " (shown, not kept): " + why);
      shown.accept(line, channel);
    }
  }
}
