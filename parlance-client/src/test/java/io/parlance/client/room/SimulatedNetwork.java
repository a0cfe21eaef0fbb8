package io.parlance.client.room;

import io.parlance.protocol.room.RoomCodec;
import io.parlance.protocol.room.RoomLine;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A network for room members in one thread, driven by a seeded random: each line is encoded, then
 * lost, delayed (so reordered) or duplicated, and delivered in simulated time. Partitions cut a
 * member off both ways.
 */
final class SimulatedNetwork {

  record Delivery(long at, long order, String from, String to, String json) {}

  private final Random random;
  private final double loss;
  private final double duplication;
  private final int maxDelay;
  private final PriorityQueue<Delivery> queue =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private final Set<String> cut = new HashSet<>();
  private long now;
  private long order;
  private long sent;
  private long lost;

  SimulatedNetwork(long seed, double loss, double duplication, int maxDelay) {
    this.random = new Random(seed);
    this.loss = loss;
    this.duplication = duplication;
    this.maxDelay = maxDelay;
  }

  Random random() {
    return random;
  }

  long now() {
    return now;
  }

  long sent() {
    return sent;
  }

  long lost() {
    return lost;
  }

  void partition(String member) {
    cut.add(member);
  }

  void heal(String member) {
    cut.remove(member);
  }

  boolean isCut(String member) {
    return cut.contains(member);
  }

  void send(String from, String to, RoomLine line) {
    String json = RoomCodec.write(line);
    sent++;
    if (random.nextDouble() < loss) {
      lost++;
      return;
    }
    int copies = random.nextDouble() < duplication ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      queue.add(new Delivery(now + 1 + random.nextInt(maxDelay), order++, from, to, json));
    }
  }

  /** Delivers what is due up to the next tick. */
  void tick(BiConsumer<String, Delivery> deliver) {
    now++;
    while (!queue.isEmpty() && queue.peek().at <= now) {
      Delivery d = queue.poll();
      if (cut.contains(d.from) || cut.contains(d.to)) {
        lost++;
        continue;
      }
      deliver.accept(d.to, d);
    }
  }

  boolean idle() {
    return queue.isEmpty();
  }
}
