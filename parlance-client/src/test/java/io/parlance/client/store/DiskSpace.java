package io.parlance.client.store;

import java.util.concurrent.TimeUnit;

/** Makes a store's disk look full, and gives the room back, for the tests of a full disk. */
public final class DiskSpace {

  private DiskSpace() {}

  /**
   * Lets the database grow by only a few pages more, as a nearly full disk would.
   *
   * @param store the store
   * @param pages how many pages it may still grow by
   * @throws Exception if the store fails
   */
  public static void leaveRoomFor(AsyncMessageStore store, long pages) throws Exception {
    store
        .submit(
            s -> {
              s.capPages(pages);
              return null;
            })
        .get(10, TimeUnit.SECONDS);
  }

  /**
   * Gives the room back.
   *
   * @param store the store
   * @throws Exception if the store fails
   */
  public static void free(AsyncMessageStore store) throws Exception {
    leaveRoomFor(store, -1);
  }
}
