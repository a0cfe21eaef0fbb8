package io.parlance.bench.messaging;

import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The messaging modes. A mode that runs through the node's own send path is one {@link NodeMode}
 * entry: the capabilities both nodes offer decide encryption ({@code tls}) and acknowledgements
 * ({@code ack}), and a durable mode gives each node a data directory of its own (outbox and history
 * in SQLite on disk, as a user's profile has them).
 */
public final class Modes {

  /** One pooled plain TCP connection, fire-and-forget: lines without ids, as to a Rust peer. */
  public static final Mode PLAIN =
      new NodeMode(
          "plain",
          "one pooled plain TCP connection, no acknowledgements (PeerNode.send)",
          options -> options.capabilities(List.of()));

  /** One pooled TLS connection, fire-and-forget. */
  public static final Mode TLS =
      new NodeMode(
          "tls",
          "one pooled TLS 1.3 connection, no acknowledgements (PeerNode.send)",
          options -> options.capabilities(List.of("tls")));

  /** Plain, acknowledged, with the outbox and history in memory. */
  public static final Mode PLAIN_ACK =
      new NodeMode(
          "plain-ack",
          "one plain TCP connection, acknowledged, outbox and history in memory",
          options -> options.capabilities(List.of("ack")));

  /** TLS, acknowledged, with the outbox and history in memory. */
  public static final Mode TLS_ACK =
      new NodeMode(
          "tls-ack",
          "one TLS 1.3 connection, acknowledged, outbox and history in memory",
          options -> options.capabilities(List.of("tls", "ack")));

  /** Plain, acknowledged, with the durable outbox and history on disk. */
  public static final Mode PLAIN_DURABLE =
      new NodeMode(
          "plain-durable",
          "one plain TCP connection, acknowledged, durable outbox and history on disk",
          options -> options.capabilities(List.of("ack")),
          true);

  /** What Parlance does by default: TLS, acknowledged, durable outbox and history on disk. */
  public static final Mode TLS_DURABLE =
      new NodeMode(
          "tls-durable",
          "one TLS 1.3 connection, acknowledged, durable outbox and history on disk (the default)",
          options -> options.capabilities(List.of("tls", "ack")),
          true);

  /** The baseline: one TCP connection per message, as the Rust Parlance sends. */
  public static final Mode PER_CONNECTION = new PerConnectionMode();

  private static final List<Mode> ALL =
      List.of(PLAIN, TLS, PLAIN_ACK, TLS_ACK, PLAIN_DURABLE, TLS_DURABLE, PER_CONNECTION);

  private Modes() {}

  /**
   * Returns every mode.
   *
   * @return the modes
   */
  public static List<Mode> all() {
    return ALL;
  }

  /**
   * Finds a mode by name.
   *
   * @param name e.g. {@code plain}
   * @return the mode
   * @throws IllegalArgumentException if there is none, listing the names
   */
  public static Mode byName(String name) {
    for (Mode mode : ALL) {
      if (mode.name().equals(name.toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown mode '"
            + name
            + "'; known: "
            + String.join(", ", ALL.stream().map(Mode::name).toList()));
  }

  /**
   * A mode that sends with {@link PeerNode#send(Peer, String)} over the node's connection pool,
   * with the node options it needs.
   *
   * @param name the name
   * @param description what it measures
   * @param options what it changes in both nodes' options
   * @param durable whether each node keeps its outbox and history on disk
   */
  public record NodeMode(
      String name, String description, UnaryOperator<NodeOptions.Builder> options, boolean durable)
      implements Mode {

    /**
     * A mode with the outbox and history in memory.
     *
     * @param name the name
     * @param description what it measures
     * @param options what it changes in both nodes' options
     */
    public NodeMode(String name, String description, UnaryOperator<NodeOptions.Builder> options) {
      this(name, description, options, false);
    }

    @Override
    public NodeOptions.Builder configure(NodeOptions.Builder builder) {
      return options.apply(builder);
    }

    @Override
    public boolean durable() {
      return durable;
    }

    @Override
    public boolean acknowledged() {
      return options.apply(NodeOptions.builder("probe")).build().capabilities().contains("ack");
    }

    @Override
    public Sender open(PeerNode from, PeerNode to) {
      Peer peer =
          from.peers().stream()
              .filter(p -> p.address().getPort() == to.tcpPort())
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("the sender does not list the receiver"));
      long before = from.outboundConnectionsOpened();
      return new Sender() {
        @Override
        public void send(String content, Consumer<Throwable> failed) {
          from.send(peer, content)
              .whenComplete(
                  (ok, error) -> {
                    if (error != null) {
                      failed.accept(error);
                    }
                  });
        }

        @Override
        public long connectionsOpened() {
          return from.outboundConnectionsOpened() - before;
        }
      };
    }
  }

  /**
   * Opens a TCP connection, writes one line and closes it, for every message, one after another,
   * from 127.0.0.1 without binding a source port: what the Rust Parlance's {@code
   * TcpStream::connect} does (the kernel reuses loopback ports in TIME_WAIT, {@code
   * net.ipv4.tcp_tw_reuse}).
   */
  private static final class PerConnectionMode implements Mode {

    @Override
    public String name() {
      return "per-connection";
    }

    @Override
    public String description() {
      return "one TCP connection per message, as the Rust Parlance sends (baseline)";
    }

    @Override
    public Sender open(PeerNode from, PeerNode to) {
      InetSocketAddress target =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), to.tcpPort());
      String nickname = from.nickname();
      return new Sender() {
        private long opened;

        @Override
        public void send(String content, Consumer<Throwable> failed) throws IOException {
          byte[] json = WireJson.toBytes(ChatLine.now(nickname, content));
          byte[] line = new byte[json.length + 1];
          System.arraycopy(json, 0, line, 0, json.length);
          line[json.length] = '\n';
          try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            opened++;
            socket.connect(target, 5_000);
            OutputStream out = socket.getOutputStream();
            out.write(line);
          }
        }

        @Override
        public long connectionsOpened() {
          return opened;
        }
      };
    }
  }
}
