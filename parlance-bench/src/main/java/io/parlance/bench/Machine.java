package io.parlance.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Describes the machine a figure was measured on, for the first line of every report. */
public final class Machine {

  private Machine() {}

  /**
   * Returns one line: processor, cores, memory, operating system, JVM and its heap limit.
   *
   * @return the description
   */
  public static String describe() {
    Runtime rt = Runtime.getRuntime();
    return String.format(
        Locale.ROOT,
        "%s, %d cores, %s RAM; %s %s (%s); Java %s (%s), max heap %.1f GiB",
        firstValue("/proc/cpuinfo", "model name").orElse("unknown CPU"),
        rt.availableProcessors(),
        firstValue("/proc/meminfo", "MemTotal").map(Machine::kibToGib).orElse("unknown"),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        rt.maxMemory() / (1024.0 * 1024 * 1024));
  }

  private static String kibToGib(String memTotal) {
    String digits = memTotal.replaceAll("[^0-9]", "");
    return digits.isEmpty()
        ? memTotal
        : String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(digits) / (1024.0 * 1024));
  }

  private static Optional<String> firstValue(String file, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          return Optional.of(line.substring(colon + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
