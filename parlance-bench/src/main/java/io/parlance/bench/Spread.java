package io.parlance.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The spread of one figure over repeated runs: median, minimum and maximum, as docs/PERFORMANCE.md
 * reports every figure.
 *
 * @param median the median (the mean of the two middle values for an even count)
 * @param min the smallest value
 * @param max the largest value
 * @param count how many values
 */
public record Spread(double median, double min, double max, int count) {

  /**
   * Computes the spread of some values.
   *
   * @param values at least one value
   * @return the spread
   */
  public static Spread of(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Spread(median, sorted[0], sorted[n - 1], n);
  }

  /**
   * Computes the spread over runs of one percentile of a histogram of nanoseconds, in milliseconds.
   *
   * @param runs at least one run
   * @param histogram the run's histogram, in nanoseconds
   * @param percentile e.g. {@code 99.9}
   * @param <R> what a run gives
   * @return the spread, in milliseconds
   */
  public static <R> Spread ofPercentileMillis(
      List<R> runs, Function<R, Histogram> histogram, double percentile) {
    return of(
        runs.stream()
            .mapToDouble(r -> histogram.apply(r).getValueAtPercentile(percentile) / 1e6)
            .toArray());
  }

  /**
   * Formats the spread as {@code median (min–max)} with a format for each number.
   *
   * @param format e.g. {@code %,.0f}
   * @return e.g. {@code 108,000 (101,000–112,000)}
   */
  public String format(String format) {
    if (count == 1) {
      return String.format(Locale.ROOT, format, median);
    }
    return String.format(
        Locale.ROOT, format + " (" + format + "–" + format + ")", median, min, max);
  }
}
