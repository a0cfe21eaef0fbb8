package io.parlance.bootstrap.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

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

  /**
   * Reads one page of entries kept by nickname.
   *
   * @param entries the entries, keyed and sorted by nickname
   * @param after the cursor: the last nickname of the page before, or null for the first page
   * @param limit the most entries on the page
   * @return the page, with a cursor if more follow
   * @throws IllegalArgumentException if the limit is below 1
   */
  public static RegistryPage of(NavigableMap<String, PeerEntry> entries, String after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    NavigableMap<String, PeerEntry> tail = after == null ? entries : entries.tailMap(after, false);
    List<PeerEntry> page = new ArrayList<>(Math.min(limit, 64));
    for (Map.Entry<String, PeerEntry> e : tail.entrySet()) {
      if (page.size() == limit) {
        return new RegistryPage(page, page.get(page.size() - 1).nickname());
      }
      page.add(e.getValue());
    }
    return new RegistryPage(page, null);
  }
}
