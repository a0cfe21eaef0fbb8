package io.parlance.client.node;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Parlance peer: discovers others on the LAN, listens for their messages and sends ours.
 *
 * <p>The small API — {@link #start()}, {@link #stop()}, {@link #peers()}, {@link #send}, {@link
 * #broadcast}, {@link #history}, {@link #search}, {@link #changeNickname} and the {@link NodeEvent
 * events} — is all the command line, the JSON mode and the tests use. The node prints nothing; it
 * tells its {@link NodeListener listeners}.
 *
 * <p>Nothing a user sends is lost: each message goes to the on-disk outbox of the profile's message
 * store first ({@link NodeOptions#dataDir()}; a node without one keeps its store in memory), and
 * leaves it when the peer acknowledged it, or, for a plain peer that cannot, once it is written.
 * Received messages are stored before they are acknowledged and shown.
 *
 * <p>A facade: {@link NodeRuntime} starts and closes the components (see {@code
 * docs/ARCHITECTURE.md}), and each method here forwards to one of them.
 */
public final class PeerNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerNode.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  /** The most messages {@link #history} and {@link #search} return. */
  public static final int MAX_HISTORY = 100_000;

  private enum State {
    NEW,
    RUNNING,
    STOPPED
  }

  private final NodeOptions options;
  private final PeerDirectory directory;
  private final PeerResolver resolver;
  private final EventDispatcher events;
  private final Object lifecycle = new Object();

  private volatile State state = State.NEW;
  private volatile String nickname;
  private volatile NodeRuntime runtime;

  /**
   * Creates a node with its own, empty peer directory.
   *
   * @param options how to run
   */
  public PeerNode(NodeOptions options) {
    this(options, new PeerDirectory(options.maxPeers(), options.maxPeersPerIp()));
  }

  /**
   * Creates a node around a given peer directory, which other discovery sources may also feed.
   *
   * @param options how to run
   * @param directory the peer directory
   */
  public PeerNode(NodeOptions options, PeerDirectory directory) {
    this.options = Objects.requireNonNull(options, "options");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.resolver = new PeerResolver(directory);
    this.nickname = options.nickname();
    this.events = new EventDispatcher(options.eventQueueCapacity());
    directory.listener(
        new PeerDirectory.Listener() {
          @Override
          public void joined(Peer peer) {
            events.publish(new NodeEvent.PeerJoined(peer));
            NodeRuntime r = runtime;
            if (r != null) {
              r.joined(peer);
            }
          }

          @Override
          public void renamed(Peer before, Peer after) {
            events.publish(new NodeEvent.PeerRenamed(before, after));
            NodeRuntime r = runtime;
            if (r != null) {
              r.renamed(before, after);
            }
          }

          @Override
          public void left(Peer peer, PeerDirectory.LeaveReason reason) {
            events.publish(new NodeEvent.PeerLeft(peer, reason));
            NodeRuntime r = runtime;
            if (r != null) {
              r.left(peer);
            }
          }
        });
  }

  /**
   * Adds a listener; add them before {@link #start()} to hear every event.
   *
   * @param listener the listener
   */
  public void addListener(NodeListener listener) {
    events.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public void removeListener(NodeListener listener) {
    events.remove(listener);
  }

  /**
   * Binds the TCP listener and the discovery sockets and announces us; returns once all are bound.
   * Must not be called on an event loop.
   *
   * @return the TCP port we listen on
   * @throws IllegalStateException if already started, or if a socket cannot be bound (saying why)
   * @throws IllegalArgumentException if the interface does not exist or is unusable
   * @throws InterruptedException if interrupted while binding
   */
  public int start() throws InterruptedException {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("the node was already started");
      }
      NodeRuntime r = new NodeRuntime(options, directory, resolver, events, () -> nickname);
      runtime = r; // hears the directory from the moment its outbox exists
      int port;
      try {
        port = r.start();
      } catch (InterruptedException | RuntimeException e) {
        state = State.STOPPED;
        throw e;
      }
      state = State.RUNNING;
      LOG.info("Node {} listening on TCP port {}", nickname, port);
      NetworkInterface lan = r.networkInterface();
      events.publish(new NodeEvent.Ready(nickname, port, lan == null ? null : lan.getName()));
      return port;
    }
  }

  /**
   * Says goodbye, closes every socket and stops the event loops; does nothing the second time. Must
   * not be called on an event loop.
   */
  public void stop() {
    synchronized (lifecycle) {
      if (state == State.STOPPED) {
        return;
      }
      state = State.STOPPED;
      NodeRuntime r = runtime;
      try {
        if (r != null) {
          r.sayGoodbye();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (r != null) {
          r.close();
        }
        LOG.info("Node {} stopped", nickname);
        events.publish(new NodeEvent.Stopped());
        try {
          events.close(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Tells whether the node is running.
   *
   * @return true between a successful start and stop
   */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** Returns the components while running, else null. */
  private NodeRuntime running() {
    return state == State.RUNNING ? runtime : null;
  }

  /**
   * Returns our nickname.
   *
   * @return the nickname
   */
  public String nickname() {
    return nickname;
  }

  /**
   * Returns our identity.
   *
   * @return the identity, null before start
   */
  public Identity identity() {
    NodeRuntime r = runtime;
    return r == null ? null : r.identity();
  }

  /**
   * Returns the TCP port we listen on.
   *
   * @return the port, 0 before start
   */
  public int tcpPort() {
    NodeRuntime r = runtime;
    return r == null || state == State.NEW ? 0 : r.tcpPort();
  }

  /**
   * Returns the discovery interface.
   *
   * @return the interface, null before start
   */
  public NetworkInterface networkInterface() {
    NodeRuntime r = runtime;
    return r == null ? null : r.networkInterface();
  }

  /**
   * Returns the known peers, ordered by nickname and address.
   *
   * @return a snapshot
   */
  public List<Peer> peers() {
    return directory.peers();
  }

  /**
   * Returns the peer directory, which other discovery sources may feed.
   *
   * @return the directory
   */
  public PeerDirectory directory() {
    return directory;
  }

  /**
   * Changes our nickname and announces it at once.
   *
   * @param newNickname the new nickname
   * @throws ProtocolException if it breaks the nickname rules, saying how
   */
  public void changeNickname(String newNickname) {
    Nickname.requireValid(newNickname);
    String before = nickname;
    nickname = newNickname;
    NodeRuntime r = runtime;
    if (r != null) {
      r.nicknameChanged(newNickname);
    }
    LOG.info("Nickname changed from {} to {}", before, newNickname);
    events.publish(new NodeEvent.NicknameChanged(before, newNickname));
  }

  /**
   * Finds the one peer a user means: a nickname, {@code nickname#ABCD} (the start of its id),
   * {@code nickname@ip:port} or {@code ip:port}.
   *
   * @param target the name
   * @return the peer
   * @throws SendException if no peer or several peers match, listing how to name each
   */
  public Peer resolve(String target) throws SendException {
    return resolver.resolve(target);
  }

  /**
   * Sends a message to the peer a user names (see {@link #resolve}). The message is stored in the
   * outbox first and leaves it when the peer acknowledged it (a plain peer: once written). A peer
   * that is not online now but was seen before (a conversation with that nickname is in the store)
   * gets it when it is back; a nickname never seen is an error.
   *
   * @param target a nickname, {@code nickname@ip:port} or {@code ip:port}
   * @param text the message
   * @return completes once the first attempt settled: written ({@link DeliveryState#SENT}), or kept
   *     in the outbox ({@link DeliveryState#QUEUED}, with why); fails with a {@link SendException}
   *     if it was not stored. Also published as events: {@link NodeEvent.Delivery} for each state,
   *     {@link NodeEvent.MessageSent} when written, {@link NodeEvent.SendFailed} on failure.
   */
  public CompletableFuture<Outgoing> send(String target, String text) {
    NodeRuntime r = running();
    return r == null ? notRunning(target) : r.messenger().send(target, text);
  }

  /**
   * Sends a message to a known peer (see {@link #send(String, String)}).
   *
   * @param peer the peer
   * @param text the message
   * @return completes once the first attempt settled; fails with a {@link SendException}
   */
  public CompletableFuture<Outgoing> send(Peer peer, String text) {
    NodeRuntime r = running();
    return r == null ? notRunning(peer.nickname()) : r.messenger().send(peer, text);
  }

  /**
   * Sends a message to every known peer.
   *
   * @param text the message
   * @return completes with the outcome for each peer, once every first attempt settled; fails with
   *     a {@link SendException} if there is no peer. Each send is also published as events.
   */
  public CompletableFuture<List<Outgoing>> broadcast(String text) {
    NodeRuntime r = running();
    if (r != null) {
      return r.messenger().broadcast(text);
    }
    List<Peer> peers = directory.peers();
    if (peers.isEmpty()) {
      return failed(
          "everyone", new SendException(SendException.Reason.NO_PEERS, "no peer is online"));
    }
    peers.forEach(p -> notRunning(p.qualifiedName()));
    return CompletableFuture.completedFuture(List.of());
  }

  private <T> CompletableFuture<T> notRunning(String target) {
    return failed(target, Messenger.notRunning());
  }

  private <T> CompletableFuture<T> failed(String target, SendException e) {
    events.publish(new NodeEvent.SendFailed(target, e));
    return CompletableFuture.failedFuture(e);
  }

  /**
   * Returns the last messages of a conversation, oldest first, from the message store.
   *
   * @param peer a nickname (every conversation under it), a peer id, or {@code nickname@ip:port} of
   *     a peer online now
   * @param limit how many of the most recent, 1 to {@value #MAX_HISTORY}
   * @return the messages
   */
  public CompletableFuture<List<StoredMessage>> history(String peer, int limit) {
    Objects.requireNonNull(peer, "peer");
    NodeRuntime r = running();
    return r == null
        ? CompletableFuture.failedFuture(Messenger.notRunning())
        : r.history().history(peer, limit);
  }

  /**
   * Searches the text of every stored message (full-text: each word must appear).
   *
   * @param text the words
   * @param limit the most to return, 1 to {@value #MAX_HISTORY}
   * @return the matches, most recent first
   */
  public CompletableFuture<List<StoredMessage>> search(String text, int limit) {
    Objects.requireNonNull(text, "text");
    NodeRuntime r = running();
    return r == null
        ? CompletableFuture.failedFuture(Messenger.notRunning())
        : r.history().search(text, limit);
  }

  /**
   * What an earlier run of this profile stored, as this node found its store when it started: the
   * last message's number and the time of the start. A front that listened from before the start
   * was shown everything stored after them as it came.
   *
   * @param lastSeq the last message's {@code seq} at the start, 0 if there was none
   * @param startedAtMillis when the store was opened, Unix milliseconds (room messages stored
   *     before it are an earlier run's)
   */
  public record Earlier(long lastSeq, long startedAtMillis) {

    /**
     * Tells whether a stored message was stored by an earlier run.
     *
     * @param message a message of the store
     * @return true if its seq is at most the last one at the start
     */
    public boolean before(StoredMessage message) {
      return message.seq() <= lastSeq;
    }
  }

  /**
   * Returns what an earlier run of this profile stored.
   *
   * @return the marks, or zeros (nothing earlier) if the node is not running
   */
  public Earlier earlier() {
    NodeRuntime r = runtime;
    return r == null ? new Earlier(0, 0) : r.earlier();
  }

  /**
   * Returns the node's rooms: create, invite, join, say, members, history, search.
   *
   * @return the rooms
   * @throws IllegalStateException if the node is not running
   */
  public Rooms rooms() {
    NodeRuntime r = runtime;
    if (r == null || r.rooms() == null) {
      throw new IllegalStateException("the node is not running");
    }
    return r.rooms();
  }

  /**
   * Returns how many inbound connections the listener has accepted since the start.
   *
   * @return the count
   */
  public long inboundConnectionsAccepted() {
    NodeRuntime r = runtime;
    return r == null ? 0 : r.inboundConnectionsAccepted();
  }

  /**
   * Says how a peer is reached now: {@code direct} or {@code relayed via <server>}.
   *
   * @param peer the peer
   * @return the path, empty if no link to it is known (or it is a LAN or plain peer)
   */
  public java.util.Optional<String> pathTo(Peer peer) {
    NodeRuntime r = runtime;
    return r == null ? java.util.Optional.empty() : r.pathTo(peer);
  }

  /**
   * Returns how many outgoing connections the node has opened since the start.
   *
   * @return the count
   */
  public long outboundConnectionsOpened() {
    NodeRuntime r = runtime;
    return r == null ? 0 : r.outboundConnectionsOpened();
  }

  /**
   * Returns how many outgoing connections are pooled now, for tests.
   *
   * @return the count
   */
  int pooledConnections() {
    NodeRuntime r = runtime;
    return r == null ? 0 : r.pooledConnections();
  }

  /**
   * Accepts the key a peer presents now as the one to remember for its nickname, after a change.
   *
   * @param target the peer, as a user names it (see {@link #resolve})
   * @return the peer now trusted
   * @throws SendException if no single peer matches, or the peer has no identity
   */
  public Peer trust(String target) throws SendException {
    Peer peer = resolve(target);
    trustPolicy().trust(peer);
    return peer;
  }

  private TrustPolicy trustPolicy() throws SendException {
    NodeRuntime r = runtime;
    if (r == null || r.trust() == null) {
      throw Messenger.notRunning();
    }
    return r.trust();
  }

  /**
   * What a user compares out of band to verify a peer: our id, the id it proves and the ids
   * accepted for its nickname.
   *
   * @param ours our id
   * @param peer the peer (its {@link Peer#id()} is the id it proves, null for a plain peer)
   * @param remembered the ids accepted for its nickname, possibly none
   */
  public record Verification(PeerId ours, Peer peer, List<PeerId> remembered) {}

  /**
   * Shows the fingerprints for comparing with a peer out of band.
   *
   * @param target the peer, as a user names it
   * @return our id, the peer's and the remembered one
   * @throws SendException if no single peer matches
   */
  public Verification verify(String target) throws SendException {
    Peer peer = resolve(target);
    TrustPolicy policy = trustPolicy();
    return new Verification(runtime.identity().id(), peer, policy.remembered(peer.nickname()));
  }

  /**
   * Tells how far a peer is trusted, for the peer list.
   *
   * @param peer the peer
   * @return {@code plain} (no identity), {@code verified} (its key is the remembered one) or {@code
   *     changed} (another key is remembered for its nickname)
   */
  public String trustOf(Peer peer) {
    NodeRuntime r = runtime;
    if (peer.id() == null || r == null || r.trust() == null) {
      return peer.id() == null ? "plain" : "verified";
    }
    return r.trust().trustOf(peer);
  }

  /**
   * Parses {@code ip:port} or {@code [ipv6]:port}, with no name lookup.
   *
   * @param text the text
   * @return the address, or empty if it is not one
   */
  static Optional<InetSocketAddress> parseAddress(String text) {
    return PeerResolver.parseAddress(text);
  }
}
