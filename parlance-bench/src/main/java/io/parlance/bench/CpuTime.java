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
   * Reads the CPU time the JIT compiler threads ({@code C1 CompilerThread…}, {@code C2
   * CompilerThread…}) have used so far: part of the process's time that is not the code under
   * measurement. HotSpot may stop a compiler thread it no longer needs, and its time then leaves
   * the sum, so a difference of two readings is at most what compiling cost.
   *
   * @return the time, or zeros where {@code /proc} is not available
   */
  public static CpuTime compilerNow() {
    long user = 0;
    long system = 0;
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
            continue;
          }
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          user += Long.parseLong(f[11]) * NANOS_PER_TICK;
          system += Long.parseLong(f[12]) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
          // the thread ended while we read: its time is gone from the sum
        }
      }
    } catch (IOException | RuntimeException e) {
      return new CpuTime(0, 0);
    }
    return new CpuTime(user, system);
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
