package io.parlance.protocol.bootstrap;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/** Limits and WebSocket close codes of the bootstrap protocol that client and server share. */
public final class BootstrapProtocol {

  /** Largest frame a client may send, in bytes of payload; a larger one is closed with 1009. */
  public static final int MAX_CLIENT_FRAME_BYTES = 16 * 1024;

  /** Largest frame a server sends, in bytes of payload (a full page of peers fits). */
  public static final int MAX_SERVER_FRAME_BYTES = 1024 * 1024;

  /** Peers in a page when a {@code list} names no limit. */
  public static final int DEFAULT_PAGE = 200;

  /** Most peers in one page; a larger {@code limit} is capped to it. */
  public static final int MAX_PAGE = 500;

  /** Most entries in one {@code peers_changed} frame; a busier interval sends several frames. */
  public static final int MAX_CHANGES_PER_FRAME = 500;

  /** Most extra addresses a peer may register. */
  public static final int MAX_ADDRESSES = 8;

  /** Longest request id, in characters. */
  public static final int MAX_ID_CHARS = 64;

  /** Random bytes in a {@code challenge} nonce. */
  public static final int NONCE_BYTES = 32;

  /** Longest cursor, in characters. */
  public static final int MAX_CURSOR_CHARS = 256;

  /** WebSocket close code: normal closure. */
  public static final int CLOSE_NORMAL = 1000;

  /** WebSocket close code: the server is going away (shutting down). */
  public static final int CLOSE_GOING_AWAY = 1001;

  /** WebSocket close code: a policy violation (repeated bad frames or rate abuse). */
  public static final int CLOSE_POLICY_VIOLATION = 1008;

  /** WebSocket close code: a frame was too large. */
  public static final int CLOSE_TOO_BIG = 1009;

  /** WebSocket close code: the client reads too slowly and its queue overflowed. */
  public static final int CLOSE_TRY_AGAIN_LATER = 1013;

  private BootstrapProtocol() {}

  /**
   * Checks a list of capabilities as a registration carries them: at most 16 names of 1–32 visible
   * ASCII characters without commas.
   *
   * @param caps the list, possibly null
   * @return an unmodifiable copy, or null
   * @throws ProtocolException saying what is wrong
   */
  public static List<String> requireValidCaps(List<String> caps) {
    return IdentityFields.requireValidCaps(caps);
  }

  /**
   * Checks an optional request id.
   *
   * @param id the id, possibly null
   * @return the id
   * @throws ProtocolException if it is empty or too long
   */
  public static String requireValidId(String id) {
    if (id != null && (id.isEmpty() || id.length() > MAX_ID_CHARS)) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field 'id' must be 1-" + MAX_ID_CHARS + " characters");
    }
    return id;
  }
}
