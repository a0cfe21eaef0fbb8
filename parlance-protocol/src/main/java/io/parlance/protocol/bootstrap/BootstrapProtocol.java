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

  /**
   * The HTTP header our peers add to the WebSocket upgrade request ({@code X-Parlance-Bootstrap:
   * 1}): our server then sends its challenge at once. A connection without it may be a Rust
   * Parlance peer, which speaks first; see {@link #UNMARKED_CHALLENGE_DELAY_MILLIS}.
   */
  public static final String DIALECT_HEADER = "X-Parlance-Bootstrap";

  /** The value of {@link #DIALECT_HEADER} for this version of our dialect. */
  public static final String DIALECT_VERSION = "1";

  /**
   * How long our server waits for the first frame of a connection without {@link #DIALECT_HEADER}
   * before it sends the challenge anyway (a peer of ours from before the header waits for it). A
   * Rust peer registers at once, so it is recognised by that frame and never sees a challenge.
   */
  public static final long UNMARKED_CHALLENGE_DELAY_MILLIS = 1_000;

  /**
   * How long our peer waits for a challenge after the handshake before it takes the server for a
   * Rust Parlance one (which says nothing until spoken to) and registers in its dialect.
   */
  public static final long CHALLENGE_WAIT_MILLIS = 1_000;

  /** The Rust client's {@code list_peers} interval, which our peer keeps on a Rust server. */
  public static final long RUST_LIST_INTERVAL_MILLIS = 5_000;

  /** The Rust client's {@code heartbeat} interval, which our peer keeps on a Rust server. */
  public static final long RUST_HEARTBEAT_INTERVAL_MILLIS = 10_000;

  /** Most peers our server puts in one {@code peer_list} for a Rust peer (in nickname order). */
  public static final int MAX_RUST_PEER_LIST = 500;

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
