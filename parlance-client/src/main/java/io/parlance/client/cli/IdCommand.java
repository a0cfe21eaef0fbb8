package io.parlance.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.profile.Profile;
import io.parlance.client.security.Identity;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code parlance id}: prints the profile's identity, creating it on first use. */
@Command(
    name = "id",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print this profile's peer id: the fingerprint of its identity key, in groups of four for"
          + " reading aloud. Peers compare it with /verify. The key is made on first use and kept"
          + " in the profile's directory (identity.key, readable by you only)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "1:the key cannot be read or made (the reason is printed)"})
final class IdCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @ParentCommand ParlanceCommand parent;

  @Mixin ProfileOptions profileOptions;

  @Option(names = "--json", description = "Print {\"id\":...,\"key\":...,\"profile\":...}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Profile profile = profileOptions.profile(parent.environment);
    Identity identity = Identity.loadOrCreate(profile.dataDir());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper()
              .createObjectNode()
              .put("id", identity.id().value())
              .put("key", identity.encodedPublicKey())
              .put("profile", profile.name())
              .toString());
    } else {
      out.println(identity.id());
    }
    out.flush();
    return 0;
  }
}
