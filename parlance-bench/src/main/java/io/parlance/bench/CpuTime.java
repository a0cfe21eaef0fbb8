package io.parlance.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time this process has used, user and system, from {@code /proc/self/stat} (Linux). On a
 * machine shared with other work, CPU time per message is steadier than messages per second.
 *
 * @param userNanos time in user mode
 * @param systemNanos time in the kernel (system calls, TCP on loopback)
 */
public record CpuTime(long userNanos, long systemNanos) {

  private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

  /**
   * Reads the process's CPU time now.
   *
   * @return the time, or zeros where {@code /proc} is not available
   */
  public static CpuTime now() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new CpuTime(
          Long.parseLong(f[11]) * NANOS_PER_TICK, Long.parseLong(f[12]) * NANOS_PER_TICK);
    } catch (IOException | RuntimeException e) {
      return new CpuTime(0, 0);
    }
  }

  /**
   * Returns the time used since an earlier reading.
   *
   * @param earlier the earlier reading
   * @return the difference
   */
  public CpuTime minus(CpuTime earlier) {
    return new CpuTime(userNanos - earlier.userNanos, systemNanos - earlier.systemNanos);
  }

  /**
   * Returns user plus system time.
   *
   * @return the total in nanoseconds
   */
  public long totalNanos() {
    return userNanos + systemNanos;
  }
}
