package io.parlance.client.cli;

import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code parlance search}: full-text search of the profile's message store. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print the messages, sent and received, whose text (or peer nickname) holds every one of"
          + " WORDS, most recent first, from the profile's message store (full-text index; whole"
          + " words, any case), then the rooms' messages that match. Works whether or not a peer"
          + " runs on the profile.",
      "A room's message prints as '[date] #room nickname: text'; with --json, as an object with"
          + " room (its id), room_name, id, author, nickname, clock, text and created_ms."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed (nothing if no message matches)",
      "1:the store cannot be read (the reason is printed)",
      "2:usage error"
    })
final class SearchCommand extends StoredMessagesCommand {

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "WORDS", description = "What to find.")
  List<String> words;

  @Override
  List<StoredMessage> read(MessageStore store, int limit) {
    return store.search(String.join(" ", words), limit);
  }

  /** The rooms' matches, most recent first, after the one-to-one ones. */
  @Override
  List<MessageStore.RoomRow> readRooms(MessageStore store, int limit) {
    return store.roomSearch(String.join(" ", words), limit);
  }

  @Override
  String nothing() {
    return "no kept message has every word of '" + String.join(" ", words) + "'";
  }
}
