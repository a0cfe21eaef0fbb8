package io.parlance.client.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts nodes for a test on the loopback interface only, on a multicast port of the test's own,
 * records their events, and stops them all. Use one per test (or class) and close it.
 */
public final class TestNodes implements AutoCloseable {

  /**
   * Checks that an address is on loopback, any of 127/8, with the port: a peer announces from
   * whichever address {@code lo} carries (127.0.0.2 too, if added), not always 127.0.0.1.
   *
   * @param address the address
   * @param port the port it must have
   */
  public static void assertLoopback(InetSocketAddress address, int port) {
    assertThat(address.getAddress().isLoopbackAddress()).as("%s is on loopback", address).isTrue();
    assertThat(address.getPort()).isEqualTo(port);
  }

  /**
   * Checks that {@code host:port} text names a loopback address, any of 127/8, with the port.
   *
   * @param hostPort e.g. {@code 127.0.0.2:4000}
   * @param port the port it must have
   */
  public static void assertLoopback(String hostPort, int port) {
    assertThat(hostPort).matches("127(\\.\\d{1,3}){3}:" + port);
  }

  /** The only interface tests run discovery on. */
  public static final String LOOPBACK = "lo";

  private static final AtomicInteger NEXT_PORT =
      new AtomicInteger(20_000 + ThreadLocalRandom.current().nextInt(20_000));

  private final int multicastPort;
  private final List<PeerNode> nodes = new ArrayList<>();
  private final String prefix;

  /** Creates the harness with a fresh multicast port and nickname prefix. */
  public TestNodes() {
    this(NEXT_PORT.getAndIncrement());
  }

  /**
   * Creates the harness on a given multicast port.
   *
   * @param multicastPort the port
   */
  public TestNodes(int multicastPort) {
    this.multicastPort = multicastPort;
    this.prefix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
  }

  /**
   * Returns the multicast port of this harness.
   *
   * @return the port
   */
  public int multicastPort() {
    return multicastPort;
  }

  /**
   * Returns a nickname unique to this harness, so other tests' peers cannot be mistaken for ours.
   *
   * @param base e.g. {@code alice}
   * @return e.g. {@code alice-4821}
   */
  public String nick(String base) {
    return base + "-" + prefix;
  }

  /**
   * Returns options for a node on loopback with quick timers.
   *
   * @param nickname the nickname
   * @return a builder to adjust
   */
  public NodeOptions.Builder options(String nickname) {
    return NodeOptions.builder(nickname)
        .interfaceName(LOOPBACK)
        .bindHost("127.0.0.1")
        .multicastPort(multicastPort)
        .announceInterval(Duration.ofSeconds(5))
        .peerTimeout(Duration.ofSeconds(15));
  }

  /**
   * Starts a node with recorded events.
   *
   * @param options its options
   * @return the node and its events
   * @throws InterruptedException if interrupted while starting
   */
  public Started start(NodeOptions options) throws InterruptedException {
    PeerNode node = new PeerNode(options);
    List<NodeEvent> events = new CopyOnWriteArrayList<>();
    node.addListener(events::add);
    synchronized (nodes) {
      nodes.add(node);
    }
    node.start();
    return new Started(node, events);
  }

  /**
   * Starts a node with default test options.
   *
   * @param nickname its nickname
   * @return the node and its events
   * @throws InterruptedException if interrupted while starting
   */
  public Started start(String nickname) throws InterruptedException {
    return start(options(nickname).build());
  }

  @Override
  public void close() {
    synchronized (nodes) {
      nodes.forEach(PeerNode::stop);
      nodes.clear();
    }
  }

  /**
   * A started node and the events it published.
   *
   * @param node the node
   * @param events its events so far, in order
   */
  public record Started(PeerNode node, List<NodeEvent> events) {

    /**
     * Returns the events of one type.
     *
     * @param type the type
     * @param <T> the type
     * @return the events
     */
    public <T extends NodeEvent> List<T> events(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Tells whether the node lists a peer with a nickname.
     *
     * @param nickname the nickname
     * @return true if it does
     */
    public boolean sees(String nickname) {
      return node.peers().stream().anyMatch(p -> p.nickname().equals(nickname));
    }

    /**
     * Returns the contents of received messages, in order.
     *
     * @return the contents
     */
    public List<String> received() {
      return events(NodeEvent.MessageReceived.class).stream()
          .map(NodeEvent.MessageReceived::content)
          .toList();
    }
  }
}
