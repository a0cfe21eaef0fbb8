package io.parlance.bootstrap;

/**
 * Names of the handlers in a bootstrap-server channel, in pipeline order:
 *
 * <pre>
 *  {@value #PENDING_LIMIT}   at accept: unfinished connections per TCP peer IP
 *        ↓
 *  {@value #REQUEST_DEADLINE} closes a connection with no WebSocket within the request timeout
 *        ↓
 *  {@value #TLS}            (only with --tls-cert/--tls-key)
 *        ↓
 *  {@value #IDLE}           every read resets it, pre-handshake too
 *        ↓
 *  {@value #HTTP_CODEC} → {@value #HTTP_AGGREGATOR}   requests up to 8 KiB
 *        ↓
 *  {@value #HTTP_ENDPOINTS}  GET /healthz, GET /metrics; anything but a WebSocket upgrade ends here
 *        ↓
 *  {@value #CONNECTION_LIMIT} client IP, per-IP connection limit (HTTP 429)
 *        ↓
 *  {@value #WEBSOCKET}       the handshake on any path, then ping/pong and close frames
 *        ↓
 *  {@value #WS_AGGREGATOR}   fragmented messages, up to 16 KiB
 *        ↓
 *  {@value #FRAME_DECODER} / {@value #FRAME_ENCODER}   JSON text frames ⇄ records
 *        ↓
 *  {@value #HEARTBEAT}       pings a silent client, closes a dead one
 *        ↓
 *  {@value #REGISTRY}        the protocol: register, lookup, list, relay requests, limits
 *                        (on a {@code /relay} WebSocket: {@value #RELAY} in its place, then the
 *                        session's forwarder)
 * </pre>
 */
public final class BootstrapPipeline {

  /** Closes a connection over the limit of unfinished connections of its address, at accept. */
  public static final String PENDING_LIMIT = "pending-limit";

  /** Closes a connection not upgraded to a WebSocket within the request timeout. */
  public static final String REQUEST_DEADLINE = "request-deadline";

  /** TLS for {@code wss://}. */
  public static final String TLS = "tls";

  /** Notices silence. */
  public static final String IDLE = "idle";

  /** HTTP request decoder and response encoder (replaced by the WebSocket codec on upgrade). */
  public static final String HTTP_CODEC = "http-codec";

  /** Whole HTTP requests, capped. */
  public static final String HTTP_AGGREGATOR = "http-aggregator";

  /** {@code /healthz} and {@code /metrics}. */
  public static final String HTTP_ENDPOINTS = "http-endpoints";

  /** Per-IP connection limit. */
  public static final String CONNECTION_LIMIT = "connection-limit";

  /** The WebSocket handshake and control frames. */
  public static final String WEBSOCKET = "websocket";

  /** Joins fragmented WebSocket messages. */
  public static final String WS_AGGREGATOR = "ws-aggregator";

  /** Text frames to {@link io.parlance.protocol.bootstrap.ClientFrame}s. */
  public static final String FRAME_DECODER = "frame-decoder";

  /** {@link io.parlance.protocol.bootstrap.ServerFrame}s to text frames. */
  public static final String FRAME_ENCODER = "frame-encoder";

  /** Pings and dead-connection detection. */
  public static final String HEARTBEAT = "heartbeat";

  /** The registry protocol. */
  public static final String REGISTRY = "registry";

  /** A relay WebSocket's join, in place of {@link #REGISTRY}. */
  public static final String RELAY = "relay";

  private BootstrapPipeline() {}
}
