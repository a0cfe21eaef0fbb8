package io.parlance.bootstrap;

import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.RustPeerInfo;
import io.parlance.protocol.bootstrap.RustServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * How the registry looks to a Rust Parlance peer: every registration, ours and theirs, as a {@link
 * RustPeerInfo} at the address it can send plain lines to (our peers take plain Parlance lines on
 * their TCP port, beside TLS).
 */
final class RustDialect {

  private RustDialect() {}

  /**
   * The {@code peer_id} of a registration: a UUID made from the salted connection id, the same in
   * the {@code registered} answer and in every list, so the Rust peer can leave itself out.
   */
  static String peerId(byte[] salt, PeerEntry entry) {
    byte[] owner = entry.owner().getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[salt.length + owner.length];
    System.arraycopy(salt, 0, input, 0, salt.length);
    System.arraycopy(owner, 0, input, salt.length, owner.length);
    return UUID.nameUUIDFromBytes(input).toString();
  }

  /** The first {@link BootstrapProtocol#MAX_RUST_PEER_LIST} peers, in nickname order. */
  static RustServerFrame.PeerList peerList(Registry registry, byte[] salt) {
    List<PeerEntry> entries = registry.list(null, BootstrapProtocol.MAX_RUST_PEER_LIST).peers();
    long now = System.currentTimeMillis() / 1000;
    List<RustPeerInfo> peers = new ArrayList<>(entries.size());
    for (PeerEntry e : entries) {
      String address = HostPort.format(e.address());
      String local =
          e.addresses() == null || e.addresses().isEmpty() ? address : e.addresses().get(0);
      // Registrations live as long as their connection, so each was seen just now.
      peers.add(new RustPeerInfo(peerId(salt, e), e.nickname(), address, local, now));
    }
    return new RustServerFrame.PeerList(peers);
  }
}
