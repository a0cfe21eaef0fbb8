package io.parlance.client.room;

import io.parlance.protocol.room.RoomMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A room's messages in the agreed order, (clock, author id, seq), each once: de-duplicated by id,
 * with per-author high-water marks (the highest seq up to which every message is held). Not
 * thread-safe.
 */
public final class RoomLog {

  /** The agreed order of a room: Lamport clock, then author id; seq for an author's own. */
  public static final Comparator<RoomMessage> ORDER =
      Comparator.comparingLong(RoomMessage::clock)
          .thenComparing(RoomMessage::author)
          .thenComparingLong(RoomMessage::seq);

  private final TreeSet<RoomMessage> ordered = new TreeSet<>(ORDER);
  private final Set<String> ids = new HashSet<>();
  private final Map<String, NavigableMap<Long, RoomMessage>> byAuthor = new HashMap<>();
  private final Map<String, Long> marks = new HashMap<>();

  /** What {@link #add} did. */
  public enum Added {
    /** It is new and in the log. */
    NEW,
    /** The log held it already. */
    DUPLICATE,
    /**
     * Its author sent another message with the same seq, or its clock breaks its author's order.
     */
    CONFLICT
  }

  /**
   * Adds a message (already verified).
   *
   * @param m the message
   * @return what happened
   */
  public Added add(RoomMessage m) {
    if (ids.contains(m.id())) {
      return Added.DUPLICATE;
    }
    NavigableMap<Long, RoomMessage> mine =
        byAuthor.computeIfAbsent(m.author(), k -> new TreeMap<>());
    if (mine.containsKey(m.seq())) {
      return Added.CONFLICT;
    }
    Map.Entry<Long, RoomMessage> before = mine.lowerEntry(m.seq());
    Map.Entry<Long, RoomMessage> after = mine.higherEntry(m.seq());
    if ((before != null && before.getValue().clock() >= m.clock())
        || (after != null && after.getValue().clock() <= m.clock())) {
      return Added.CONFLICT;
    }
    mine.put(m.seq(), m);
    ids.add(m.id());
    ordered.add(m);
    long mark = marks.getOrDefault(m.author(), 0L);
    while (mine.containsKey(mark + 1)) {
      mark++;
    }
    marks.put(m.author(), mark);
    return Added.NEW;
  }

  /**
   * Takes out an author's messages written after a clock (a removed member's, after its removal).
   *
   * @param author the author id
   * @param afterClock the clock
   * @return the messages taken out
   */
  public List<RoomMessage> retract(String author, long afterClock) {
    NavigableMap<Long, RoomMessage> mine = byAuthor.get(author);
    List<RoomMessage> out = new ArrayList<>();
    if (mine == null) {
      return out;
    }
    for (java.util.Iterator<RoomMessage> it = mine.values().iterator(); it.hasNext(); ) {
      RoomMessage m = it.next();
      if (m.clock() > afterClock) {
        it.remove();
        ids.remove(m.id());
        ordered.remove(m);
        out.add(m);
      }
    }
    long mark = 0;
    while (mine.containsKey(mark + 1)) {
      mark++;
    }
    marks.put(author, mark);
    return out;
  }

  /**
   * Returns whether a message id is held.
   *
   * @param id the id
   * @return true if it is in the log
   */
  public boolean contains(String id) {
    return ids.contains(id);
  }

  /**
   * Returns the messages in the agreed order.
   *
   * @return a copy
   */
  public List<RoomMessage> messages() {
    return new ArrayList<>(ordered);
  }

  /**
   * Returns how many messages are held.
   *
   * @return the count
   */
  public int size() {
    return ordered.size();
  }

  /**
   * Returns the high-water marks: per author, the highest seq up to which every message is held.
   *
   * @return a copy
   */
  public Map<String, Long> marks() {
    return Map.copyOf(marks);
  }

  /**
   * Returns the highest seq held for an author (gaps allowed).
   *
   * @param author the author id
   * @return the seq, 0 if none
   */
  public long lastSeq(String author) {
    NavigableMap<Long, RoomMessage> mine = byAuthor.get(author);
    return mine == null || mine.isEmpty() ? 0 : mine.lastKey();
  }

  /**
   * Returns the messages another member lacks by its marks, in the agreed order, bounded.
   *
   * @param theirs the other member's marks
   * @param maxCount the most messages
   * @param maxTextChars the most characters of text in all
   * @return the messages, and whether some were held back
   */
  public Slice missing(Map<String, Long> theirs, int maxCount, int maxTextChars) {
    List<RoomMessage> out = new ArrayList<>();
    boolean more = false;
    long chars = 0;
    List<RoomMessage> candidates = new ArrayList<>();
    for (Map.Entry<String, NavigableMap<Long, RoomMessage>> e : byAuthor.entrySet()) {
      long mark = theirs.getOrDefault(e.getKey(), 0L);
      candidates.addAll(e.getValue().tailMap(mark, false).values());
    }
    candidates.sort(ORDER);
    for (RoomMessage m : candidates) {
      if (out.size() >= maxCount || chars + m.text().length() > maxTextChars) {
        more = true;
        break;
      }
      out.add(m);
      chars += m.text().length();
    }
    return new Slice(List.copyOf(out), more);
  }

  /**
   * Returns the message an author sent with a seq.
   *
   * @param author the author id
   * @param seq the seq
   * @return the message, or null
   */
  public @Nullable RoomMessage get(String author, long seq) {
    NavigableMap<Long, RoomMessage> mine = byAuthor.get(author);
    return mine == null ? null : mine.get(seq);
  }

  /**
   * A bounded part of the log.
   *
   * @param messages the messages
   * @param more whether more were held back
   */
  public record Slice(List<RoomMessage> messages, boolean more) {}
}
