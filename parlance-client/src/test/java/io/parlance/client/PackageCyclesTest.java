package io.parlance.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No import cycles between the client's packages: each package may use those below it only, so a
 * new feature is a new component, not a knot. Reads the sources, so it needs no library.
 */
class PackageCyclesTest {

  private static final Path SOURCES = Path.of("src/main/java/io/parlance/client");
  private static final Pattern USE = Pattern.compile("io\\.parlance\\.client\\.([a-z]+)\\.[A-Z]");

  /** Every package of the client and the other client packages its sources name. */
  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path dir = SOURCES.relativize(file.getParent());
        String from = dir.toString().isEmpty() ? "(root)" : dir.toString().replace('/', '.');
        Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher m = USE.matcher(Files.readString(file));
        while (m.find()) {
          if (!m.group(1).equals(from)) {
            to.add(m.group(1));
          }
        }
      }
    }
    return uses;
  }

  /** Returns a cycle through the graph, as the packages on it, or an empty list. */
  private static List<String> cycle(Map<String, Set<String>> uses) {
    Set<String> done = new HashSet<>();
    for (String start : uses.keySet()) {
      Deque<String> path = new ArrayDeque<>();
      List<String> found = visit(start, uses, path, new HashSet<>(), done);
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  private static List<String> visit(
      String at,
      Map<String, Set<String>> uses,
      Deque<String> path,
      Set<String> onPath,
      Set<String> done) {
    if (onPath.contains(at)) {
      List<String> loop = new ArrayList<>();
      boolean in = false;
      for (String p : path) {
        in |= p.equals(at);
        if (in) {
          loop.add(p);
        }
      }
      loop.add(at);
      return loop;
    }
    if (!done.add(at)) {
      return List.of();
    }
    path.addLast(at);
    onPath.add(at);
    for (String next : uses.getOrDefault(at, Set.of())) {
      List<String> found = visit(next, uses, path, onPath, done);
      if (!found.isEmpty()) {
        return found;
      }
    }
    path.removeLast();
    onPath.remove(at);
    return List.of();
  }

  @Test
  void noPackageOfTheClientDependsOnItselfThroughOthers() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    assertThat(uses).containsKeys("node", "delivery", "messaging", "peer", "security", "store");
    assertThat(cycle(uses)).as("a cycle between packages, in %s", uses).isEmpty();
  }

  @Test
  void theCycleFinderFindsACycle() {
    Map<String, Set<String>> uses =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycle(new TreeMap<>(uses))).containsExactly("a", "b", "c", "a");
  }

  @Test
  void theNodeTheDeliveryAndThePeersNeverSeeANettyChannel() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(file.getParent()).toString();
        if (Set.of("delivery", "node", "peer", "store", "security").contains(pkg)
            && Files.readString(file).contains("import io.netty.channel.Channel;")) {
          offenders.add(file.toString());
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
