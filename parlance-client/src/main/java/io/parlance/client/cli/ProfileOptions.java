package io.parlance.client.cli;

import io.parlance.client.config.ConfigException;
import io.parlance.client.profile.Profile;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --profile} and {@code --data-dir}, shared by the chat, the daemon and the commands that
 * talk to a daemon (a picocli mixin).
 */
final class ProfileOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description =
          "Profile to use (default: $PARLANCE_PROFILE, else 'default'); one running peer per"
              + " profile.")
  String profile;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory (default: $PARLANCE_DATA_DIR, else"
              + " $XDG_DATA_HOME/parlance/PROFILE or ~/.local/share/parlance/PROFILE).")
  Path dataDir;

  /** Resolves the profile from the flags and the environment. */
  Profile profile(Map<String, String> environment) {
    try {
      return Profile.resolve(profile, dataDir, environment);
    } catch (IllegalArgumentException e) {
      if (profile != null) {
        throw new ParameterException(spec.commandLine(), "--profile: " + e.getMessage());
      }
      throw new ConfigException(
          "environment variable " + Profile.PROFILE_VARIABLE + ": " + e.getMessage());
    }
  }
}
