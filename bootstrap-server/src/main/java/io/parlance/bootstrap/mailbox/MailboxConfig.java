package io.parlance.bootstrap.mailbox;

import io.parlance.protocol.bootstrap.MailFields;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The mailbox's settings.
 *
 * @param store makes the store (opened when the server starts, closed when it stops)
 * @param maxMessages the most messages one recipient's mailbox holds
 * @param maxBytes the most sealed bytes one recipient's mailbox holds
 * @param maxMessageBytes the largest sealed message kept, at most {@link
 *     MailFields#MAX_SEALED_BYTES}
 * @param expiry how long a message is kept unfetched
 * @param depositsPerSecond the steady rate of deposits one sender (by id) may make
 * @param depositBurst the deposits one sender may make at once
 * @param sweepInterval how often expired messages are deleted
 */
public record MailboxConfig(
    Supplier<Mailbox> store,
    int maxMessages,
    long maxBytes,
    int maxMessageBytes,
    Duration expiry,
    double depositsPerSecond,
    int depositBurst,
    Duration sweepInterval) {

  /** The default expiry: 7 days. */
  public static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);

  /** How long a notice (receipt, expiry) waits for its sender: 30 days. */
  public static final Duration NOTICE_EXPIRY = Duration.ofDays(30);

  /** Checks the settings. */
  public MailboxConfig {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(expiry, "expiry");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    if (maxMessages < 1 || maxBytes < 1 || depositBurst < 1 || !(depositsPerSecond > 0)) {
      throw new IllegalArgumentException("mailbox limits must be positive");
    }
    if (maxMessageBytes < 64 || maxMessageBytes > MailFields.MAX_SEALED_BYTES) {
      throw new IllegalArgumentException(
          "the largest mail message must be 64-" + MailFields.MAX_SEALED_BYTES + " bytes");
    }
    if (expiry.toMillis() < 1_000 || sweepInterval.toMillis() < 100) {
      throw new IllegalArgumentException("expiry must be at least 1 s, the sweep 100 ms");
    }
  }

  /**
   * Returns the defaults for a store: 1,000 messages and 16 MiB per recipient, messages up to
   * {@link MailFields#MAX_SEALED_BYTES}, kept 7 days, 10 deposits a second per sender in bursts of
   * 200, swept every minute.
   *
   * @param store makes the store
   * @return the settings
   */
  public static MailboxConfig defaults(Supplier<Mailbox> store) {
    return new MailboxConfig(
        store,
        1_000,
        16L * 1024 * 1024,
        MailFields.MAX_SEALED_BYTES,
        DEFAULT_EXPIRY,
        10,
        200,
        Duration.ofMinutes(1));
  }

  /**
   * Returns these settings with other quotas per recipient.
   *
   * @param messages the most messages
   * @param bytes the most bytes
   * @return the settings
   */
  public MailboxConfig withQuota(int messages, long bytes) {
    return new MailboxConfig(
        store,
        messages,
        bytes,
        maxMessageBytes,
        expiry,
        depositsPerSecond,
        depositBurst,
        sweepInterval);
  }

  /**
   * Returns these settings with another expiry and sweep interval.
   *
   * @param expiry how long a message is kept
   * @param sweep how often expired messages are deleted
   * @return the settings
   */
  public MailboxConfig withExpiry(Duration expiry, Duration sweep) {
    return new MailboxConfig(
        store,
        maxMessages,
        maxBytes,
        maxMessageBytes,
        expiry,
        depositsPerSecond,
        depositBurst,
        sweep);
  }

  /**
   * Returns these settings with another store (a server in a cluster keeps its mail on Redis).
   *
   * @param store makes the store
   * @return the settings
   */
  public MailboxConfig withStore(Supplier<Mailbox> store) {
    return new MailboxConfig(
        store,
        maxMessages,
        maxBytes,
        maxMessageBytes,
        expiry,
        depositsPerSecond,
        depositBurst,
        sweepInterval);
  }

  /**
   * Returns these settings with another per-sender rate.
   *
   * @param perSecond the steady rate
   * @param burst the burst
   * @return the settings
   */
  public MailboxConfig withSenderRate(double perSecond, int burst) {
    return new MailboxConfig(
        store, maxMessages, maxBytes, maxMessageBytes, expiry, perSecond, burst, sweepInterval);
  }

  /**
   * Returns these settings with another largest message.
   *
   * @param bytes the largest sealed message
   * @return the settings
   */
  public MailboxConfig withMaxMessageBytes(int bytes) {
    return new MailboxConfig(
        store,
        maxMessages,
        maxBytes,
        bytes,
        expiry,
        depositsPerSecond,
        depositBurst,
        sweepInterval);
  }
}
