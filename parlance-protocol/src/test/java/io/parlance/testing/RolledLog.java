package io.parlance.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A log file that rolls over into {@code NAME.1.gz} (the newest) … {@code NAME.N.gz} beside it,
 * read back whole, for the tests of the server's and the client's log files.
 */
public final class RolledLog {

  private static final Pattern LINE = Pattern.compile("line (\\d+) x");

  private final Path file;
  private final Pattern archive;

  public RolledLog(Path file) {
    this.file = file;
    this.archive = Pattern.compile(Pattern.quote(file.getFileName().toString()) + "\\.\\d+\\.gz");
  }

  /** The rolled-over files beside the log file. */
  private List<Path> archives() throws IOException {
    try (Stream<Path> s = Files.list(file.getParent())) {
      return s.filter(p -> archive.matcher(p.getFileName().toString()).matches()).toList();
    }
  }

  /**
   * Logs lines {@code line N xxx…} numbered {@code from} to {@code to - 1}, twenty at a time with a
   * pause between, as the logs look at the file's size at most every 50 ms.
   */
  private static void write(int from, int to, IntConsumer logLine) throws InterruptedException {
    for (int i = from; i < to; i++) {
      logLine.accept(i);
      if ((i + 1) % 20 == 0) {
        Thread.sleep(60);
      }
    }
  }

  /** The numbers of the {@code line N} lines in the log file and its archives, in order. */
  private List<Integer> lineNumbers() throws IOException {
    StringBuilder text = new StringBuilder(Files.readString(file));
    for (Path gz : archives()) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
        text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(gz + " is not a whole gzip file", e);
      }
    }
    TreeSet<Integer> numbers = new TreeSet<>();
    Matcher m = LINE.matcher(text);
    while (m.find()) {
      numbers.add(Integer.parseInt(m.group(1)));
    }
    return new ArrayList<>(numbers);
  }

  /** The numbers from {@code from} to {@code to - 1}, as {@link #lineNumbers()} lists them. */
  public static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /**
   * The scenario both log files are tested with, at 4 KB a file: 120 lines (four or five files) are
   * all kept; 600 more (twenty-odd files) leave exactly {@code archives} files holding an unbroken
   * run of the newest lines, and a small live file.
   *
   * @param logger logs one message at INFO (the file's lines are about 150 bytes)
   * @param archives the files the window keeps
   */
  public void checkTheWindow(Consumer<String> logger, int archives)
      throws IOException, InterruptedException {
    IntConsumer logLine = i -> logger.accept("line " + i + " " + "x".repeat(80));
    write(0, 120, logLine);
    assertThat(archives()).hasSizeBetween(2, archives - 1);
    assertThat(lineNumbers()).isEqualTo(range(0, 120));

    write(120, 720, logLine);
    assertThat(archives()).hasSize(archives);
    List<Integer> kept = lineNumbers();
    assertThat(kept).isEqualTo(range(kept.get(0), 720)).hasSizeGreaterThan(250);
    assertThat(kept.get(0)).isPositive();
    // The live file holds only what came after the last rollover.
    assertThat(Files.size(file)).isLessThan(8 * 1024);
  }
}
