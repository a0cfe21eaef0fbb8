package io.parlance.protocol;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Keeps a log line that hostile input can trigger from flooding the log: lets a burst through, then
 * one line per interval, and says on the next line let through how many were held back; its static
 * helpers turn network text and exceptions into one short printable line, with no stack trace or
 * hex dump.
 *
 * <p>One instance per kind of line, in a static field beside the logger:
 *
 * <pre>{@code
 * private static final LogLimiter BAD_DATAGRAMS = new LogLimiter();
 * BAD_DATAGRAMS.log(more -> LOG.warn("Dropped a datagram from {}: {}{}", from, why, more));
 * }</pre>
 *
 * <p>Thread-safe; never blocks.
 */
public final class LogLimiter {

  /** Lines let through at once before the limit applies. */
  public static final int DEFAULT_BURST = 10;

  /** Time between lines once the burst is spent: ten lines a minute. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(6);

  /** Longest text {@link #oneLine} keeps, in characters. */
  public static final int MAX_TEXT = 160;

  /** A run of hex digits as long as a dump of bytes, not a word or a number. */
  private static final Pattern HEX_RUN = Pattern.compile("[0-9a-fA-F]{24,}");

  private final TokenBucket bucket;
  private final AtomicLong held = new AtomicLong();

  /** Creates a limiter with the default burst and interval. */
  public LogLimiter() {
    this(DEFAULT_BURST, DEFAULT_INTERVAL, System::nanoTime);
  }

  /**
   * Creates a limiter.
   *
   * @param burst lines let through at once
   * @param interval time between lines once the burst is spent
   * @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()}
   */
  public LogLimiter(int burst, Duration interval, LongSupplier nanoClock) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the interval must be positive: " + interval);
    }
    this.bucket = new TokenBucket(1e9 / interval.toNanos(), burst, nanoClock);
  }

  /**
   * Writes a line if the limit allows it now, otherwise counts it as held back.
   *
   * @param line writes the line; it is given a note to append, empty or saying how many lines like
   *     it were held back since the last one written (e.g. {@code " (12 more like it not logged)"})
   * @return true if the line was written
   */
  public boolean log(Consumer<String> line) {
    Objects.requireNonNull(line, "line");
    if (!bucket.tryTake()) {
      held.incrementAndGet();
      return false;
    }
    long skipped = held.getAndSet(0);
    line.accept(skipped == 0 ? "" : " (" + skipped + " more like it not logged)");
    return true;
  }

  /**
   * Returns how many lines were held back since the last one written.
   *
   * @return the count
   */
  public long held() {
    return held.get();
  }

  /**
   * Makes text from the network fit on one log line: control characters become {@code ?}, long hex
   * dumps become {@code <hex>}, and the whole is cut to {@value #MAX_TEXT} characters.
   *
   * @param text the text, possibly null
   * @return the printable text
   */
  public static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    String cut = text.length() > 4 * MAX_TEXT ? text.substring(0, 4 * MAX_TEXT) : text;
    String noHex = HEX_RUN.matcher(cut).replaceAll("<hex>");
    StringBuilder out = new StringBuilder(Math.min(noHex.length(), MAX_TEXT + 1));
    for (int i = 0; i < noHex.length() && out.length() < MAX_TEXT; i++) {
      char c = noHex.charAt(i);
      out.append(Character.isISOControl(c) || isFormatting(c) ? '?' : c);
    }
    if (out.length() < noHex.length()) {
      out.append('…');
    }
    return out.toString();
  }

  /**
   * Describes why input was refused in one short line: the message of the innermost cause (where
   * the problem was found), made {@link #oneLine printable}.
   *
   * @param cause the exception
   * @return the description, never a stack trace
   */
  public static String describe(Throwable cause) {
    Throwable inner = Objects.requireNonNull(cause, "cause");
    int depth = 0;
    while (inner.getCause() != null && inner.getCause() != inner && depth++ < 16) {
      inner = inner.getCause();
    }
    String message = inner.getMessage();
    if (message == null || message.isBlank()) {
      message = cause.getMessage();
    }
    return message == null || message.isBlank()
        ? inner.getClass().getSimpleName()
        : oneLine(message);
  }

  /**
   * Bidirectional overrides, line separators and other invisible formatting, which disguise lines.
   */
  private static boolean isFormatting(char c) {
    int type = Character.getType(c);
    return type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
