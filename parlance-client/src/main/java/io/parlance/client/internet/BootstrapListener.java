package io.parlance.client.internet;

import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * What a {@link BootstrapClient} reports. Called on the connector's event-loop thread, one call at
 * a time: return quickly and never block.
 */
public interface BootstrapListener {

  /**
   * The WebSocket connection to the server is open (registration follows).
   *
   * @param server the server's URL
   */
  default void onConnected(URI server) {}

  /**
   * The nickname is registered; peers will now be reported.
   *
   * @param address this peer's address as the server sees it (its public IP and TCP port)
   */
  default void onRegistered(InetSocketAddress address) {}

  /**
   * The nickname is registered, and the server said whether its TCP probe of our address succeeded
   * (like STUN): false means peers elsewhere on the internet cannot connect to us directly (NAT,
   * firewall). The default forwards to {@link #onRegistered(InetSocketAddress)}.
   *
   * @param address this peer's address as the server sees it
   * @param reachable true if the server connected back to it, false if not, null if it did not try
   *     (a Rust Parlance server, or a server without the probe)
   */
  default void onRegistered(InetSocketAddress address, Boolean reachable) {
    onRegistered(address);
  }

  /**
   * A peer is online (from the initial pages or a later join), or changed: a new address, or a new
   * registration with other capabilities.
   *
   * @param peer the peer, with its identity if it verified here
   */
  default void onPeerJoined(RemotePeer peer) {}

  /**
   * A peer went offline.
   *
   * @param nickname its nickname
   * @param address the address it had
   */
  default void onPeerLeft(String nickname, InetSocketAddress address) {}

  /**
   * The connection is lost or could not be made; said once per outage, and not after a fatal {@link
   * #onError} (that one said what to do). Known peers stay known, and the client keeps retrying
   * until {@link BootstrapClient#close()}.
   *
   * @param reason what happened and that it is retrying, in words, e.g. {@code the bootstrap server
   *     ws://h:1/ is unreachable (Connection refused); retrying in the background}
   */
  default void onDisconnected(String reason) {}

  /**
   * The server reported an error, or the connector gave up for a reason a person must fix.
   *
   * @param code a wire error code such as {@code nickname_taken}, {@code bad_signature} or {@code
   *     replaced}, or {@code handshake_failed} and the server's refusals before registering
   * @param message what happened, in words
   */
  default void onError(String code, String message) {}

  /**
   * A peer asks, through the server, to be relayed to us; join {@link RelayFrames#PATH} with the
   * offer's token to agree, or ignore it to refuse. Runs on the client's event loop.
   *
   * @param offer who asks (nickname and proven id) and our token
   */
  default void onRelayOffer(RelayFrames.Offer offer) {}

  /**
   * A registered peer asks for a hole punch with us (see {@link PunchFrames}); fetching our mapping
   * with the offer's token agrees to it, ignoring it refuses.
   *
   * @param offer the server's offer
   */
  default void onPunchOffer(PunchFrames.Offer offer) {}

  /**
   * Both sides of a hole punch fetched their mappings: connect now.
   *
   * @param go the other side's mapping and our TLS role
   */
  default void onPunchGo(PunchFrames.Go go) {}

  /**
   * What the server's probe found of a listed peer's port, each time the peer is listed (before
   * {@link #onPeerJoined}): a peer it could not reach is best reached through the relay at once.
   *
   * @param peer the peer
   * @param reachable true or false as the probe found, null if the server did not probe
   */
  default void onPeerReachability(RemotePeer peer, Boolean reachable) {}
}
