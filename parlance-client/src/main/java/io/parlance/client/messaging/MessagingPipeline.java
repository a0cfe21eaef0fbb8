package io.parlance.client.messaging;

/**
 * Names of the handlers in the messaging pipelines, in pipeline order.
 *
 * <pre>
 * inbound (accepted connection):
 *   connectionLimit → lineFramer → floodGuard → chatLineDecoder → idle → idleCloser
 *     → inboundHandler
 *
 * outbound (pooled connection to a peer):
 *   flushConsolidation → chatLineEncoder → writeTimeout → idle → idleCloser → outboundHandler
 * </pre>
 */
public final class MessagingPipeline {

  /** Closes connections over the server's limit of concurrent inbound connections. */
  public static final String CONNECTION_LIMIT = "connectionLimit";

  /** Splits the byte stream into lines of at most the line limit. */
  public static final String LINE_FRAMER = "lineFramer";

  /** Closes a connection that sends lines faster than the rate limit. */
  public static final String FLOOD_GUARD = "floodGuard";

  /** Decodes one line into a chat line. */
  public static final String CHAT_LINE_DECODER = "chatLineDecoder";

  /**
   * Turns the flush of every line written outside a read into one flush per event-loop pass, so
   * lines sent in a burst leave in one system call (and, with {@code TCP_NODELAY}, in as few
   * segments) instead of one each.
   */
  public static final String FLUSH_CONSOLIDATION = "flushConsolidation";

  /** Encodes a chat line as one line of JSON. */
  public static final String CHAT_LINE_ENCODER = "chatLineEncoder";

  /** Fails a write that does not complete in time. */
  public static final String WRITE_TIMEOUT = "writeTimeout";

  /** Signals an idle connection. */
  public static final String IDLE = "idle";

  /** Closes the connection when {@link #IDLE} reports it idle. */
  public static final String IDLE_CLOSER = "idleCloser";

  /** Hands received chat lines to the node, closes bad connections. */
  public static final String INBOUND_HANDLER = "inboundHandler";

  /** Discards anything a peer sends back; logs how a pooled connection failed. */
  public static final String OUTBOUND_HANDLER = "outboundHandler";

  private MessagingPipeline() {}
}
