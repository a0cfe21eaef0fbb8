package io.parlance.protocol.bootstrap;

import io.parlance.protocol.ProtocolError;

/**
 * The {@code code} values of an {@code error} frame. Codes are strings on the wire so a client
 * keeps working when a newer server sends one it does not know.
 */
public final class ErrorCode {

  /** The frame is not one JSON object of a known shape (bad JSON, missing or mistyped field). */
  public static final String MALFORMED_FRAME = "malformed_frame";

  /** The frame's {@code type} is not one this server knows. */
  public static final String UNKNOWN_TYPE = "unknown_type";

  /** A binary frame; the protocol is text only. */
  public static final String UNSUPPORTED_FRAME = "unsupported_frame";

  /** The frame nests too deeply or holds a string, number or name over the limits. */
  public static final String LIMIT_EXCEEDED = "limit_exceeded";

  /** The frame is larger than the server accepts (sent before closing with 1009). */
  public static final String FRAME_TOO_LARGE = "frame_too_large";

  /** A nickname that breaks Parlance's rules. */
  public static final String INVALID_NICKNAME = "invalid_nickname";

  /** A field with a value out of range (a port, an address). */
  public static final String INVALID_FIELD = "invalid_field";

  /** Another live connection holds the nickname. */
  public static final String NICKNAME_TAKEN = "nickname_taken";

  /**
   * A registration's identity is not proven: its {@code key} is not an Ed25519 key, its {@code id}
   * is not the key's fingerprint, or its {@code sig} is not the key's signature of this
   * connection's challenge (forged, or replayed from another connection).
   */
  public static final String BAD_SIGNATURE = "bad_signature";

  /**
   * A newer connection registered this connection's nickname with the same key and took it over;
   * this connection's registration has ended and the server closes it. A peer must not reconnect to
   * take it back: another copy of its identity is online.
   */
  public static final String REPLACED = "replaced";

  /** This connection has registered already; unregister first. */
  public static final String ALREADY_REGISTERED = "already_registered";

  /** The request needs a registration first. */
  public static final String NOT_REGISTERED = "not_registered";

  /** Too many frames or registrations; slow down. */
  public static final String RATE_LIMITED = "rate_limited";

  /** Too many connections from this IP address. */
  public static final String TOO_MANY_CONNECTIONS = "too_many_connections";

  /** The server failed; the request may be retried. */
  public static final String INTERNAL_ERROR = "internal_error";

  /** The server keeps no mailbox (turned off with {@code --no-mailbox}). */
  public static final String NO_MAILBOX = "no_mailbox";

  /** The peer published no mail key here (it does not accept mail, or never registered). */
  public static final String NO_MAIL_KEY = "no_mail_key";

  /** The deposit is sealed to another key than the one the recipient published last. */
  public static final String MAIL_KEY_MISMATCH = "mail_key_mismatch";

  /** The recipient's mailbox holds as many messages or bytes as it may; try again later. */
  public static final String MAILBOX_FULL = "mailbox_full";

  /** The sealed message is larger than the server keeps. */
  public static final String MAIL_TOO_LARGE = "mail_too_large";

  /**
   * The mailbox refuses the frame: the registration proves no key, {@code from} is not its id, or a
   * mail key or receipt does not verify.
   */
  public static final String MAIL_REFUSED = "mail_refused";

  private ErrorCode() {}

  /**
   * Maps a codec error to the code a server reports for it.
   *
   * @param kind what the codec found wrong
   * @return the wire code
   */
  public static String of(ProtocolError kind) {
    return switch (kind) {
      case UNKNOWN_TYPE -> UNKNOWN_TYPE;
      case INVALID_NICKNAME -> INVALID_NICKNAME;
      case INVALID_PORT -> INVALID_FIELD;
      case LIMIT_EXCEEDED -> LIMIT_EXCEEDED;
      case LINE_TOO_LONG, DATAGRAM_TOO_LARGE, FRAME_TOO_LARGE -> FRAME_TOO_LARGE;
      default -> MALFORMED_FRAME;
    };
  }
}
