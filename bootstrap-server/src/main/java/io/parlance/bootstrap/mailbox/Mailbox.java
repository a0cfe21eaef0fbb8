package io.parlance.bootstrap.mailbox;

import java.util.List;
import java.util.Optional;

/**
 * Where the server keeps mail for offline peers: sealed messages as opaque bytes with their
 * recipient, sender, size and expiry; the notices (signed receipts, expiries) that tell senders
 * what became of them; and the mail key each peer published last. Nothing here can read a message.
 *
 * <p>Calls are made from one thread at a time (the server gives the mailbox a thread of its own);
 * an implementation may block. {@link SqliteMailbox} is the embedded default; {@code
 * cluster.RedisMailbox}, shared by the servers of a cluster, implements the same interface.
 */
public interface Mailbox extends AutoCloseable {

  /**
   * A peer's published mail key and its binding.
   *
   * @param id the peer's id
   * @param key its Ed25519 public key, base64 of the X.509 encoding
   * @param mailKey its X25519 mail key, base64
   * @param mailSig the identity key's signature of the binding
   */
  record MailKeyRecord(String id, String key, String mailKey, String mailSig) {}

  /**
   * One waiting message.
   *
   * @param seq its position, increasing in deposit order
   * @param from the sender's id
   * @param msg the message id
   * @param sealed the sealed bytes
   * @param depositedMs when it was deposited, Unix milliseconds
   */
  record Item(long seq, String from, String msg, byte[] sealed, long depositedMs) {}

  /**
   * A notice for a sender.
   *
   * @param kind {@code delivered} or {@code expired}
   * @param to the recipient
   * @param msg the message id
   * @param sig the recipient's receipt signature ({@code delivered}), else null
   */
  record Notice(String kind, String to, String msg, String sig) {}

  /**
   * A recipient's receipt for one stored message.
   *
   * @param from the sender
   * @param msg the message id
   * @param sig the recipient's signature
   */
  record Receipt(String from, String msg, String sig) {}

  /**
   * A notice a sender handled.
   *
   * @param to the recipient
   * @param msg the message id
   */
  record Done(String to, String msg) {}

  /** What became of a deposit. */
  enum Outcome {
    /** Kept. */
    STORED,
    /** The same sender had deposited the same message id for this recipient: kept once. */
    DUPLICATE,
    /** The recipient's mailbox holds its most messages. */
    FULL_COUNT,
    /** The recipient's mailbox holds its most bytes. */
    FULL_BYTES
  }

  /**
   * A page of mail for one recipient.
   *
   * @param items waiting messages after the position asked for, in deposit order
   * @param notices notices for the recipient as a sender
   * @param next the position to fetch after next time
   * @param more whether more items wait after {@code next}
   */
  record Page(List<Item> items, List<Notice> notices, long next, boolean more) {}

  /**
   * What the mailbox holds.
   *
   * @param messages waiting messages
   * @param bytes their sealed bytes
   * @param notices notices not yet handled
   * @param keys peers whose mail key is known
   */
  record Stats(long messages, long bytes, long notices, long keys) {}

  /**
   * Records the mail key a peer published (the caller checked its binding).
   *
   * @param record the key
   */
  void publishKey(MailKeyRecord record);

  /**
   * Returns the mail key a peer published last.
   *
   * @param id the peer's id
   * @return the key, or empty
   */
  Optional<MailKeyRecord> mailKey(String id);

  /**
   * Keeps a sealed message for a recipient, within the per-recipient quotas.
   *
   * @param from the sender's id
   * @param to the recipient's id
   * @param msg the message id
   * @param sealed the sealed bytes
   * @param nowMs now, Unix milliseconds
   * @param expiresMs when it expires, Unix milliseconds
   * @param maxMessages the most messages one recipient's mailbox holds
   * @param maxBytes the most sealed bytes one recipient's mailbox holds
   * @return what became of it
   */
  Outcome deposit(
      String from,
      String to,
      String msg,
      byte[] sealed,
      long nowMs,
      long expiresMs,
      int maxMessages,
      long maxBytes);

  /**
   * Returns waiting mail for a recipient after a position, unexpired, and its notices as a sender.
   *
   * @param recipient the recipient's id
   * @param after the position to start after
   * @param maxItems the most items
   * @param maxBytes the most sealed bytes in all (at least one item is returned if any waits)
   * @param maxNotices the most notices
   * @param nowMs now, Unix milliseconds
   * @return the page
   */
  Page fetch(String recipient, long after, int maxItems, int maxBytes, int maxNotices, long nowMs);

  /**
   * Deletes what a recipient stored and keeps a {@code delivered} notice for each sender; deletes
   * the notices a sender handled.
   *
   * @param recipient the peer acknowledging
   * @param receipts its receipts, checked by the caller
   * @param done notices it handled as a sender
   * @param noticeExpiresMs when the new notices expire, Unix milliseconds
   * @return how many items and notices were deleted
   */
  int ack(String recipient, List<Receipt> receipts, List<Done> done, long noticeExpiresMs);

  /**
   * Deletes expired messages, keeping an {@code expired} notice for each sender, and expired
   * notices.
   *
   * @param nowMs now, Unix milliseconds
   * @param noticeExpiresMs when the new notices expire
   * @return how many messages expired
   */
  int sweep(long nowMs, long noticeExpiresMs);

  /**
   * Returns what the mailbox holds; cheap.
   *
   * @return the counts
   */
  Stats stats();

  @Override
  void close();
}
