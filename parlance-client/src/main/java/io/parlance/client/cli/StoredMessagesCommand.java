package io.parlance.client.cli;

import io.parlance.client.profile.Profile;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What {@code parlance history} and {@code parlance search} share: they read the profile's message
 * store directly, read-only, whether or not a peer runs on the profile (SQLite's WAL journal lets a
 * reader see every committed message while the peer writes), and print one line per message.
 */
abstract class StoredMessagesCommand implements Callable<Integer> {

  /** The most messages one command prints. */
  static final int MAX = 100_000;

  @Spec CommandSpec spec;

  @ParentCommand ParlanceCommand parent;

  @Mixin ProfileOptions profileOptions;

  @Option(
      names = "--json",
      description =
          "One JSON object per message: {\"id\":...,\"direction\":\"out|in\",\"peer\":...,"
              + "\"nickname\":...,\"content\":...,\"timestamp\":...,\"state\":...}.")
  boolean json;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "How many messages at most (default ${DEFAULT-VALUE}, at most 100000).",
      defaultValue = "20")
  int count;

  /**
   * Reads the messages to print.
   *
   * @param store the store, read-only
   * @param limit how many at most
   * @return the messages, in the order to print
   */
  abstract List<StoredMessage> read(MessageStore store, int limit);

  /**
   * Says that nothing matched, for a person; JSON output stays empty.
   *
   * @return e.g. {@code no message with 'bob' is kept}
   */
  abstract String nothing();

  /**
   * Reads the room messages to print after the others.
   *
   * @param store the store, read-only
   * @param limit how many at most
   * @return the messages, in the order to print; none by default
   */
  List<MessageStore.RoomRow> readRooms(MessageStore store, int limit) {
    return List.of();
  }

  @Override
  public Integer call() {
    if (count < 1 || count > MAX) {
      throw new ParameterException(
          spec.commandLine(), "--count: must be from 1 to " + MAX + ", not " + count);
    }
    Profile profile = profileOptions.profile(parent.environment);
    List<StoredMessage> messages;
    List<MessageStore.RoomRow> roomMessages;
    java.util.Map<String, String> roomNames;
    try (MessageStore store =
        MessageStore.openReadOnly(profile.dataDir().resolve(MessageStore.FILE))) {
      messages = read(store, count);
      roomMessages = readRooms(store, count);
      roomNames = roomMessages.isEmpty() ? java.util.Map.of() : store.roomNames();
    }
    PrintWriter out = spec.commandLine().getOut();
    ZoneId zone = ZoneId.systemDefault();
    for (StoredMessage m : messages) {
      out.println(json ? JsonRenderer.write(JsonRenderer.stored(m)) : StoredLines.line(m, zone));
    }
    for (MessageStore.RoomRow m : roomMessages) {
      String name = roomNames.getOrDefault(m.room(), m.room());
      out.println(
          json
              ? JsonRenderer.write(JsonRenderer.roomRow(m).put("room_name", name))
              : StoredLines.line(m, name, zone));
    }
    out.flush();
    if (messages.isEmpty() && roomMessages.isEmpty() && !json) {
      spec.commandLine().getErr().println(TerminalText.inline(nothing()));
      spec.commandLine().getErr().flush();
    }
    return 0;
  }
}
