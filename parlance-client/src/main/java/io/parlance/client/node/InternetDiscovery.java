package io.parlance.client.node;

import io.parlance.client.internet.BootstrapClient;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.internet.BootstrapListener;
import io.parlance.client.internet.RemotePeer;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The internet discovery source: registers with the bootstrap server under our nickname, feeds the
 * peers it reports into the directory, and tells the node's listeners how the server stands.
 */
final class InternetDiscovery implements AutoCloseable {

  private final String server;
  private final Identity identity;
  private final List<String> capabilities;
  private final int tcpPort;
  private final PeerDirectory directory;
  private final EventDispatcher events;
  private volatile BootstrapClient client;
  private volatile boolean closed;
  private volatile Runnable onRegistered = () -> {};
  private volatile Boolean reachable;

  InternetDiscovery(
      String server,
      Identity identity,
      List<String> capabilities,
      int tcpPort,
      PeerDirectory directory,
      EventDispatcher events) {
    this.server = Objects.requireNonNull(server, "server");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.capabilities = List.copyOf(capabilities);
    this.tcpPort = tcpPort;
    this.directory = Objects.requireNonNull(directory, "directory");
    this.events = Objects.requireNonNull(events, "events");
  }

  /**
   * Registers under a nickname, replacing the registration under the one before (the server binds a
   * registration to its nickname).
   *
   * @param nickname the nickname
   * @throws IllegalStateException if TLS to the server cannot be set up
   */
  synchronized void register(String nickname) {
    if (closed) {
      return;
    }
    BootstrapClient before = client;
    if (before != null) {
      before.close();
    }
    BootstrapClientOptions options =
        BootstrapClientOptions.builder(server, nickname, tcpPort)
            .identity(identity)
            .caps(capabilities)
            .build();
    try {
      client = BootstrapClient.start(options, new Listener(nickname));
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for " + server + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the connection to the server, for the mailbox.
   *
   * @return the client, or null before the first registration and after close
   */
  BootstrapClient client() {
    return client;
  }

  /**
   * Sets what runs each time the server registers us (the mailbox fetches then).
   *
   * @param hook the hook; must not block
   */
  void onRegistered(Runnable hook) {
    this.onRegistered = Objects.requireNonNull(hook, "hook");
  }

  /**
   * Tells whether the server, at our last registration, could connect back to our TCP port.
   *
   * @return true or false as the server's probe found, null if it did not probe (yet)
   */
  Boolean reachable() {
    return reachable;
  }

  /** The end of the registered status line: what the server's probe of our port found. */
  static String reachability(Boolean reachable, int port) {
    if (reachable == null) {
      return "";
    }
    return reachable
        ? "; it reached our port " + port + " directly"
        : "; it could not connect back to our port "
            + port
            + ": peers elsewhere on the internet cannot connect to us directly (NAT or firewall?);"
            + " we can still send to peers that accept connections, but for their messages to"
            + " reach us, forward TCP port "
            + port
            + " to this machine";
  }

  @Override
  public synchronized void close() {
    closed = true;
    BootstrapClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }

  /** Feeds one registration's reports into the directory and the node's events. */
  private final class Listener implements BootstrapListener {
    private final String name;

    private Listener(String name) {
      this.name = name;
    }

    @Override
    public void onRegistered(InetSocketAddress address, Boolean reachable) {
      InternetDiscovery.this.reachable = reachable;
      events.publish(
          new NodeEvent.ServerStatus(
              "registered",
              "registered with "
                  + server
                  + " as "
                  + name
                  + "; it sees us at "
                  + address.getAddress().getHostAddress()
                  + ":"
                  + address.getPort()
                  + reachability(reachable, address.getPort())));
      onRegistered.run();
    }

    @Override
    public void onPeerJoined(RemotePeer peer) {
      String peerName = peer.nickname();
      InetSocketAddress address = peer.address();
      if (!peerName.equals(name) || address.getPort() != tcpPort) {
        directory.upsert(new Peer(peerName, address, Peer.INTERNET, peer.id(), peer.caps()));
      }
    }

    @Override
    public void onPeerLeft(String peerName, InetSocketAddress address) {
      directory
          .get(address)
          .filter(p -> Peer.INTERNET.equals(p.source()))
          .ifPresent(p -> directory.remove(address, PeerDirectory.LeaveReason.GOODBYE));
    }

    @Override
    public void onDisconnected(String reason) {
      events.publish(
          new NodeEvent.ServerStatus("disconnected", reason + "; known peers stay usable"));
    }

    @Override
    public void onError(String code, String message) {
      // A Rust Parlance server registered us, as a plain peer: a warning, not a refusal.
      events.publish(
          new NodeEvent.ServerStatus(
              BootstrapClient.RUST_DIALECT.equals(code) ? BootstrapClient.RUST_DIALECT : "refused",
              message));
    }
  }
}
