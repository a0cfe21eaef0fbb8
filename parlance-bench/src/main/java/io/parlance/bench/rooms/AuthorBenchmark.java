package io.parlance.bench.rooms;

import io.parlance.bench.CpuTime;
import io.parlance.bench.Machine;
import io.parlance.bench.Ports;
import io.parlance.bench.messaging.DataDirs;
import io.parlance.bench.rooms.RoomBenchmark.Member;
import io.parlance.client.node.Rooms;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One member's share of a large room: a default node writes to a room of N (49 durable sends with
 * acks per room message in a room of 50), measured on one machine.
 *
 * <p>A room of 50 full members on two cores is bounded by the 49 signature checks every room
 * message costs across the room ({@link RoomBenchmark} measures it). Here only {@code joined}
 * members have joined: they check, store and show every message, in order. The others are invited
 * and not joined, so they acknowledge each room line without checking or storing it: the author
 * still writes, stores and waits for the ack of every copy, but its peers leave it the CPU, as
 * members on machines of their own would.
 *
 * <p>{@code java -cp benchmarks.jar io.parlance.bench.rooms.AuthorBenchmark [members] [burst]
 * [joined] [runs]}
 */
public final class AuthorBenchmark {

  private AuthorBenchmark() {}

  /**
   * One burst as measured.
   *
   * @param label warm-up, or which run
   * @param messages the room messages written
   * @param copies the copies of each (the other members)
   * @param seconds until every joined member showed them and every copy was acknowledged
   */
  public record Result(String label, int messages, int copies, double seconds) {}

  @SuppressWarnings("checkstyle:regexp") // a command-line tool: bad arguments exit with 2
  public static void main(String[] args) throws Exception {
    try {
      int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
      int burst = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
      int joined = args.length > 2 ? Integer.parseInt(args[2]) : 1;
      int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
      run(n, burst, joined, runs, System.out);
    } catch (NumberFormatException e) {
      System.err.println("AuthorBenchmark: the arguments are whole numbers: " + e.getMessage());
      System.exit(2);
    } catch (IllegalArgumentException e) {
      System.err.println("AuthorBenchmark: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * Starts the room, writes a warm-up burst and then {@code runs} measured ones, and stops.
   *
   * @param n the members, the author included
   * @param burst room messages a burst
   * @param joined the members that joined (the others are only invited)
   * @param runs measured bursts after the warm-up
   * @param out where the report goes
   * @return the warm-up's result, then each run's
   * @throws Exception if the room cannot be made or a burst does not arrive in time
   */
  public static List<Result> run(int n, int burst, int joined, int runs, PrintStream out)
      throws Exception {
    if (n < 2 || joined < 1 || joined > n - 1 || burst < 1 || runs < 1) {
      throw new IllegalArgumentException(
          "want members >= 2, 1 <= joined <= members - 1, burst >= 1, runs >= 1");
    }
    out.println("Machine: " + Machine.describe());
    int port = Ports.privateMulticastPort();
    Path base = Files.createTempDirectory("authorbench");
    List<Member> members = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        members.add(RoomBenchmark.start("m" + i, base.resolve("m" + i), port));
      }
      RoomBenchmark.waitFor(
          "discovery", 180, () -> members.stream().allMatch(m -> m.node().peers().size() >= n - 1));
      Member author = members.get(0);
      String room = author.node().rooms().create("bench").get(10, TimeUnit.SECONDS).id();
      List<Member> readers = members.subList(1, 1 + joined);
      for (Member m : members.subList(1, n)) {
        RoomBenchmark.invite(author, m, room);
      }
      for (Member m : readers) {
        RoomBenchmark.join(m, room);
      }
      RoomBenchmark.waitFor(
          "membership",
          120,
          () ->
              Stream.concat(Stream.of(author), readers.stream())
                  .allMatch(m -> RoomBenchmark.info(m, room) == n));
      out.printf(
          "Room of %d: one author, %d joined member(s) that check, store and show every message,"
              + " %d invited that acknowledge without checking; %,d room messages per run"
              + " (%,d durable sends)%n",
          n, joined, n - 1 - joined, burst, (long) burst * (n - 1));

      List<Result> results = new ArrayList<>();
      results.add(burst(author, readers, room, burst, "warm-up", out));
      for (int r = 1; r <= runs; r++) {
        results.add(burst(author, readers, room, burst, "run " + r + "/" + runs, out));
      }
      return results;
    } finally {
      for (Member m : members) {
        m.node().stop();
      }
      DataDirs.delete(base);
    }
  }

  /**
   * Writes {@code count} room messages at once, then waits until every joined member showed all of
   * them and every copy to every member is acknowledged.
   */
  private static Result burst(
      Member author, List<Member> readers, String room, int count, String label, PrintStream out)
      throws InterruptedException {
    int[] before = readers.stream().mapToInt(m -> m.count().get()).toArray();
    CpuTime cpu = CpuTime.now();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      author.node().rooms().say(room, label + " " + i);
    }
    RoomBenchmark.waitFor(
        label + ": shown",
        600,
        () -> {
          for (int j = 0; j < readers.size(); j++) {
            if (readers.get(j).count().get() - before[j] < count) {
              return false;
            }
          }
          return true;
        });
    double shown = (System.nanoTime() - start) / 1e9;
    // Only now: counting what waits reads the author's outbox, which is short by then.
    RoomBenchmark.waitFor("acks", 600, () -> waiting(author, room) == 0);
    double acked = (System.nanoTime() - start) / 1e9;
    long cpuNanos = CpuTime.now().minus(cpu).totalNanos();
    int copies = RoomBenchmark.info(author, room) - 1;
    out.printf(
        "%s: %,d room messages shown by the joined in %.2f s, every copy acknowledged in %.2f s:"
            + " %,.0f room messages/s (%,.0f acknowledged sends/s); CPU of the whole process"
            + " %.0f µs per room message%n",
        label,
        count,
        shown,
        acked,
        count / acked,
        count * (double) copies / acked,
        cpuNanos / 1e3 / count);
    return new Result(label, count, copies, acked);
  }

  private static long waiting(Member author, String room) {
    try {
      return author.node().rooms().waiting(room).get().stream()
          .mapToLong(Rooms.Waiting::waiting)
          .sum();
    } catch (Exception e) {
      return -1;
    }
  }
}
