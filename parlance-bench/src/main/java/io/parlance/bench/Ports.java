package io.parlance.bench;

import java.util.concurrent.ThreadLocalRandom;

/** Ports the measuring tools use, chosen so that they collide neither with tests nor the system. */
public final class Ports {

  private Ports() {}

  /**
   * Returns a random multicast port for one run's peers: in 10000–19999, below the ephemeral range
   * (32768–60999 on Linux, where bound sockets would collide with it) and below the 20000–39999 the
   * tests use, so a run never shares discovery traffic with anything else.
   *
   * @return the port
   */
  public static int privateMulticastPort() {
    return 10_000 + ThreadLocalRandom.current().nextInt(10_000);
  }
}
