package io.parlance.client.store;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Makes message ids: UUIDs in the time-ordered layout of RFC 9562's version 7, the creation time in
 * milliseconds in the 48 high bits and 74 random bits below it.
 *
 * <p>Why not random (version 4) UUIDs: the store indexes messages by id (the sender's outbox by
 * {@code (direction, peer, id)} for acks, the receiver's history by id for duplicates). Random ids
 * put every insert on a random page of those indexes, so once the indexes outgrow SQLite's page
 * cache each message read pages back from disk and wrote as many again at its commit, most of a
 * node's system time. Ids made in time order land at the end of the index, on pages already in
 * memory. They are as unique (74 random bits within each millisecond, from a {@link SecureRandom})
 * and look the same on the wire; a peer never depends on their layout.
 */
public final class MessageIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private MessageIds() {}

  /**
   * Makes a new id.
   *
   * @param epochMillis the time it is made, Unix milliseconds (the store's clock)
   * @return a UUID string, version 7, variant RFC 9562
   */
  public static String next(long epochMillis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long randA = ((random[0] & 0x0fL) << 8) | (random[1] & 0xffL);
    long randB = 0;
    for (int i = 2; i < 10; i++) {
      randB = (randB << 8) | (random[i] & 0xffL);
    }
    long high = ((epochMillis & 0xffff_ffff_ffffL) << 16) | 0x7000L | randA;
    long low = (randB & 0x3fff_ffff_ffff_ffffL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
