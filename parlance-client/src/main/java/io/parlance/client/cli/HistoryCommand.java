package io.parlance.client.cli;

import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code parlance history}: prints a conversation from the profile's message store. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print the last messages with a peer, oldest first, from the profile's message store"
          + " (<data dir>/messages.db): '[date time] → bob: text (state)' for ours, with state"
          + " queued, sent or delivered, '[date time] bob: text' for bob's.",
      "PEER is a nickname (every conversation under it), a peer id or its start (at least"
          + " its first group of four, as the chat's /peers shows it). Works whether or not a"
          + " peer runs on the profile: the store is only read."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed (or said on stderr that no message with PEER is kept)",
      "1:the store cannot be read (none yet for this profile, corrupt, ...; the reason is"
          + " printed)",
      "2:usage error"
    })
final class HistoryCommand extends StoredMessagesCommand {

  @Parameters(index = "0", paramLabel = "PEER", description = "A nickname or a peer id.")
  String peer;

  @Override
  List<StoredMessage> read(MessageStore store, int limit) {
    return store.history(peer, limit);
  }

  @Override
  String nothing() {
    return "no message with '" + peer + "' is kept (a nickname, a peer id or its start)";
  }
}
