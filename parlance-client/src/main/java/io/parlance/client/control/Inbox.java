package io.parlance.client.control;

import io.parlance.client.node.NodeEvent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The messages received since the daemon started: a ring that keeps the newest, bounded both in
 * messages and in characters, so no peer can grow it without limit. Thread-safe.
 */
public final class Inbox {

  /** The most messages kept by default. */
  public static final int DEFAULT_MAX_MESSAGES = 10_000;

  /** The most characters (contents and names) kept by default. */
  public static final long DEFAULT_MAX_CHARS = 32L * 1024 * 1024;

  private final int maxMessages;
  private final long maxChars;
  private final ArrayDeque<NodeEvent.MessageReceived> messages = new ArrayDeque<>();
  private long chars;
  private long dropped;

  /** Creates an inbox with the default bounds. */
  public Inbox() {
    this(DEFAULT_MAX_MESSAGES, DEFAULT_MAX_CHARS);
  }

  /**
   * Creates an inbox.
   *
   * @param maxMessages the most messages kept
   * @param maxChars the most characters kept; the newest message is always kept
   */
  public Inbox(int maxMessages, long maxChars) {
    if (maxMessages < 1 || maxChars < 1) {
      throw new IllegalArgumentException("the inbox bounds must be positive");
    }
    this.maxMessages = maxMessages;
    this.maxChars = maxChars;
  }

  /**
   * Adds a message, dropping the oldest ones beyond the bounds.
   *
   * @param message the message
   */
  public synchronized void add(NodeEvent.MessageReceived message) {
    messages.addLast(message);
    chars += size(message);
    while (messages.size() > maxMessages || (chars > maxChars && messages.size() > 1)) {
      chars -= size(messages.removeFirst());
      dropped++;
    }
  }

  /**
   * Returns the messages kept, oldest first.
   *
   * @return a snapshot
   */
  public synchronized List<NodeEvent.MessageReceived> messages() {
    return List.copyOf(messages);
  }

  /**
   * Returns how many messages are kept.
   *
   * @return the count
   */
  public synchronized int size() {
    return messages.size();
  }

  /**
   * Returns how many old messages were dropped to stay within the bounds.
   *
   * @return the count
   */
  public synchronized long dropped() {
    return dropped;
  }

  private static long size(NodeEvent.MessageReceived m) {
    return (long) m.content().length() + m.from().length() + m.address().length();
  }
}
