package io.parlance.bench.messaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The temporary profile directories of a durable run. */
public final class DataDirs {

  private DataDirs() {}

  /**
   * Returns the bytes the files under a directory hold.
   *
   * @param dir the directory
   * @return the sum of the regular files' sizes
   * @throws IOException if it cannot be read
   */
  static long size(Path dir) throws IOException {
    long total = 0;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.filter(Files::isRegularFile).toList()) {
        total += Files.size(path);
      }
    }
    return total;
  }

  /**
   * Deletes a directory the benchmark made, with everything in it.
   *
   * @param dir the directory, or null
   * @throws IOException if something in it cannot be deleted
   */
  public static void delete(Path dir) throws IOException {
    if (dir == null) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path path : paths) {
      Files.deleteIfExists(path);
    }
  }
}
