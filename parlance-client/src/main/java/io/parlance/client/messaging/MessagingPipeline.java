package io.parlance.client.messaging;

/**
 * Names of the handlers in the messaging pipelines, in pipeline order.
 *
 * <pre>
 * inbound (accepted connection):
 *   connectionLimit → tlsDetector (replaced by tls, or removed for a plain peer) → lineFramer
 *     → floodGuard → chatLineDecoder → lineGate → ackEncoder → idle → idleCloser
 *     → inboundHandler
 *
 * outbound (pooled connection to a peer):
 *   [tls, to peers that speak it] → flushConsolidation → chatLineEncoder → replyFramer
 *     → replyDecoder → writeTimeout → idle → idleCloser → ackHandler → outboundHandler
 * </pre>
 *
 * <p>Acknowledgements travel back on the connection the message came on: the receiver writes them
 * through {@link #ACK_ENCODER}, the sender reads them through {@link #REPLY_FRAMER}, {@link
 * #REPLY_DECODER} and {@link #ACK_HANDLER}.
 */
public final class MessagingPipeline {

  /**
   * Shares the connection slots: per address, a reserve for known peers, the longest-idle
   * connection closed to make room, a deadline for the first line.
   */
  public static final String CONNECTION_LIMIT = "connectionLimit";

  /** Tells TLS from plain by the first byte and sets up the pipeline for it. */
  public static final String TLS_DETECTOR = "tlsDetector";

  /** TLS 1.3 with both sides authenticated by their identity keys. */
  public static final String TLS = "tls";

  /** Splits the byte stream into lines of at most the line limit. */
  public static final String LINE_FRAMER = "lineFramer";

  /**
   * Pauses reading a connection that sends lines faster than its rate, until it is back within it.
   */
  public static final String FLOOD_GUARD = "floodGuard";

  /** Decodes one line into a chat line. */
  public static final String CHAT_LINE_DECODER = "chatLineDecoder";

  /** Passes valid lines on until the first bad one, drops the rest, reports refused lines. */
  public static final String LINE_GATE = "lineGate";

  /**
   * Turns the flush of every line written outside a read into one flush per event-loop pass, so
   * lines sent in a burst leave in one system call (and, with {@code TCP_NODELAY}, in as few
   * segments) instead of one each.
   */
  public static final String FLUSH_CONSOLIDATION = "flushConsolidation";

  /** Encodes a chat line as one line of JSON. */
  public static final String CHAT_LINE_ENCODER = "chatLineEncoder";

  /** Encodes the acknowledgements the receiver writes back, one line of JSON each. */
  public static final String ACK_ENCODER = "ackEncoder";

  /** Splits what a peer writes back on our connection into short lines. */
  public static final String REPLY_FRAMER = "replyFramer";

  /** Decodes one line a peer wrote back (an acknowledgement). */
  public static final String REPLY_DECODER = "replyDecoder";

  /** Hands acknowledgements to the delivery; closes a connection that sends too many bad ones. */
  public static final String ACK_HANDLER = "ackHandler";

  /** Fails a write that does not complete in time. */
  public static final String WRITE_TIMEOUT = "writeTimeout";

  /** Signals an idle connection. */
  public static final String IDLE = "idle";

  /** Closes the connection when {@link #IDLE} reports it idle. */
  public static final String IDLE_CLOSER = "idleCloser";

  /**
   * Hands received chat lines to the node, writes their acknowledgements, pauses reading while too
   * many wait for the store, closes bad connections.
   */
  public static final String INBOUND_HANDLER = "inboundHandler";

  /** Logs how a pooled connection failed, and closes it. */
  public static final String OUTBOUND_HANDLER = "outboundHandler";

  /**
   * The longest line a peer may write back on our connection: an acknowledgement is about 60 bytes.
   */
  public static final int MAX_REPLY_LINE_BYTES = 1024;

  private MessagingPipeline() {}
}
