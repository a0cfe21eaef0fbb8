package io.parlance.bench.store;

import io.parlance.bench.CpuTime;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Measures what each store operation of a message costs, in CPU time per message, with the real
 * {@link MessageStore} on a real file (WAL, {@code synchronous=FULL}), in transactions of a fixed
 * number of messages as the store thread groups them: the sender's insert into the outbox, its
 * "sent" and "delivered" records, and the receiver's duplicate check and insert. Bounded: {@code
 * --messages} (default 20,000) per operation, {@code --batch} (default 100) per transaction, in a
 * temporary directory deleted afterwards.
 *
 * <pre>
 *   java -cp parlance-bench/target/benchmarks.jar io.parlance.bench.store.StoreBenchmark --runs 3
 * </pre>
 */
public final class StoreBenchmark {

  private static final String PEER =
      "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST";
  private static final String TEXT = "message %d of the store benchmark, with a few words of text";

  private StoreBenchmark() {}

  /**
   * Runs the measure.
   *
   * @param args {@code --messages N --batch N --runs N}
   * @throws Exception if the store fails
   */
  public static void main(String[] args) throws Exception {
    int messages = intArg(args, "--messages", 20_000);
    int batch = intArg(args, "--batch", 100);
    int runs = intArg(args, "--runs", 3);
    if (messages < 1
        || messages > 1_000_000
        || batch < 1
        || batch > 1024
        || runs < 1
        || runs > 20) {
      throw new IllegalArgumentException("--messages 1..1000000, --batch 1..1024, --runs 1..20");
    }
    System.out.printf(
        "store micro-measure: %d messages per operation, %d per transaction, schema v%d%n",
        messages, batch, MessageStore.latestSchemaVersion());
    for (int run = 0; run <= runs; run++) {
      Path dir = Files.createTempDirectory("parlance-store-bench");
      try {
        measure(dir, messages, batch, run == 0);
      } finally {
        delete(dir);
      }
    }
  }

  private static void measure(Path dir, int messages, int batch, boolean warmup) throws Exception {
    String label = warmup ? "warm-up" : "run";
    try (AsyncMessageStore sender = new AsyncMessageStore(MessageStore.open(dir.resolve("s.db")));
        AsyncMessageStore receiver =
            new AsyncMessageStore(MessageStore.open(dir.resolve("r.db")))) {
      List<String> ids = new ArrayList<>(messages);
      double insert =
          perMessage(
              sender,
              messages,
              batch,
              i -> s -> ids.add(s.enqueue(PEER, "bob", String.format(TEXT, i), i).id()));
      double sent =
          perMessage(
              sender,
              messages,
              batch,
              i ->
                  s -> {
                    s.markSent(PEER, ids.subList(i, i + 1));
                    return null;
                  });
      double delivered =
          perMessage(
              sender,
              messages,
              batch,
              i ->
                  s -> {
                    s.markDelivered(PEER, ids.subList(i, i + 1));
                    return null;
                  });
      double receive =
          perMessage(
              receiver,
              messages,
              batch,
              i -> s -> s.receive(s.newId(), PEER, "alice", String.format(TEXT, i), i));
      List<StoredMessage> found = receiver.search("message 7 store", 5).get();
      System.out.printf(
          "%s: sender insert %.1f, mark sent %.1f, mark delivered %.1f (sender total %.1f);"
              + " receiver receive %.1f µs CPU/message; search found %d%n",
          label, insert, sent, delivered, insert + sent + delivered, receive, found.size());
    }
  }

  /** Runs one operation per message, {@code batch} to a transaction, and returns µs CPU each. */
  private static double perMessage(
      AsyncMessageStore store,
      int messages,
      int batch,
      java.util.function.IntFunction<Function<MessageStore, ?>> op)
      throws Exception {
    CpuTime start = CpuTime.now();
    for (int i = 0; i < messages; i += batch) {
      int from = i;
      int to = Math.min(messages, i + batch);
      store
          .submit(
              s -> {
                for (int j = from; j < to; j++) {
                  op.apply(j).apply(s);
                }
                return null;
              })
          .get();
    }
    return CpuTime.now().minus(start).totalNanos() / 1000.0 / messages;
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
