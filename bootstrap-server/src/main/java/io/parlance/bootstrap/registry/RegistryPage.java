package io.parlance.bootstrap.registry;

import java.util.List;

/**
 * One page of a registry listing.
 *
 * @param peers the entries, in nickname order
 * @param nextCursor the cursor that continues after this page, or null if it is the last
 */
public record RegistryPage(List<PeerEntry> peers, String nextCursor) {

  /** Copies the list. */
  public RegistryPage {
    peers = List.copyOf(peers);
  }
}
