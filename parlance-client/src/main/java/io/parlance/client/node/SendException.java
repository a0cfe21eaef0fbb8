package io.parlance.client.node;

import io.parlance.client.peer.Peer;
import java.util.List;
import java.util.Objects;

/** A message could not be sent, with the reason as a value and in words a user understands. */
public final class SendException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a send failed. */
  public enum Reason {
    /** No known peer matches the target. */
    UNKNOWN_PEER,
    /** Several peers share the nickname; {@link #candidates()} lists them. */
    AMBIGUOUS_NICKNAME,
    /** No peer at all, for a broadcast. */
    NO_PEERS,
    /** Nothing listens at the peer's address. */
    REFUSED,
    /** The peer did not answer or read in time. */
    TIMED_OUT,
    /** No route to the peer. */
    UNREACHABLE,
    /** The connection broke while sending. */
    CONNECTION_LOST,
    /** The message cannot be sent (too long, not valid text). */
    INVALID_MESSAGE,
    /** The peer presents another key than the one remembered for its nickname. */
    UNTRUSTED,
    /** The peer proved another key than the id it announced: a possible man in the middle. */
    IDENTITY_MISMATCH,
    /** The peer speaks only the plain protocol, and encryption is required. */
    ENCRYPTION_REQUIRED,
    /** The node is not running. */
    NOT_RUNNING,
    /** Anything else. */
    FAILED
  }

  private final Reason reason;
  private final transient List<Peer> candidates;

  /**
   * Creates the exception.
   *
   * @param reason why
   * @param message why, in words
   * @param candidates the peers that could be meant, for an ambiguous nickname; else empty
   * @param cause the underlying error, or null
   */
  public SendException(Reason reason, String message, List<Peer> candidates, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.candidates = List.copyOf(candidates);
  }

  /**
   * Creates the exception with no candidates and no cause.
   *
   * @param reason why
   * @param message why, in words
   */
  public SendException(Reason reason, String message) {
    this(reason, message, List.of(), null);
  }

  /**
   * Returns why the send failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the peers an ambiguous nickname could mean.
   *
   * @return the peers, empty unless the reason is {@link Reason#AMBIGUOUS_NICKNAME}
   */
  public List<Peer> candidates() {
    return candidates;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
