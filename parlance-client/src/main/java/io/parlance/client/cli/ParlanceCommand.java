package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import io.parlance.client.config.ConfigFile;
import io.parlance.client.config.Settings;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.OwnThread;
import io.parlance.client.node.PeerNode;
import io.parlance.client.profile.Profile;
import io.parlance.client.profile.ProfileLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code parlance}: chat with peers on the LAN, interactively or as JSON lines. */
@Command(
    name = "parlance",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Decentralized peer-to-peer chat: find peers on your LAN and message them directly.",
      "",
      "Headless: 'parlance daemon' runs a peer with no terminal; 'parlance send', 'parlance"
          + " peers', 'parlance inbox' and 'parlance room ...' talk to it. 'parlance history' and 'parlance search'"
          + " read the profile's message store. Options a command shares with parlance (--profile, --data-dir, --json) may go"
          + " before or after its name."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:quit normally",
      "1:failed (the reason is printed)",
      "2:usage error (bad flag, config file or nickname)"
    })
public final class ParlanceCommand implements Callable<Integer> {

  /**
   * The subcommands, added by {@link Main#commandLine} rather than named in the annotation: a plain
   * start, which names none, is parsed without building their models (see {@link Main}).
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          DaemonCommand.class,
          SendCommand.class,
          PeersCommand.class,
          InboxCommand.class,
          RoomsCommand.class,
          HistoryCommand.class,
          SearchCommand.class,
          IdCommand.class);

  @Spec CommandSpec spec;

  @Mixin PeerOptions peer;

  @Mixin ProfileOptions profileOptions;

  @Option(
      names = "--json",
      description = "No prompt: read commands from stdin, write events to stdout as JSON lines.")
  boolean json;

  @Option(
      names = "--plain",
      description =
          "The line chat instead of the full-screen one (which a real terminal gets otherwise; a"
              + " pipe or a dumb terminal always gets the line chat).")
  boolean plain;

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      description =
          "Log file in interactive mode (default: parlance.log in the profile's state directory,"
              + " $XDG_STATE_HOME/parlance/PROFILE or ~/.local/state/parlance/PROFILE, or the"
              + " data directory given).")
  Path logFile;

  @Option(
      names = "--generate-config",
      paramLabel = "FILE",
      description = "Write a commented example config file and exit.")
  Path generateConfig;

  Map<String, String> environment = System.getenv();
  Path workingDirectory = Path.of("").toAbsolutePath();
  InputStream stdin = System.in;

  /** The chat's terminal, if its opening began before the command line was parsed. */
  Terminals.Opening terminal;

  /** Set once {@link #call} begins: a usage error after that is the chat's own, not a parse one. */
  boolean called;

  @Override
  public Integer call() throws Exception {
    called = true;
    PrintWriter out = spec.commandLine().getOut();
    if (generateConfig != null) {
      ConfigFile.writeExample(generateConfig);
      out.println("Wrote an example config to " + generateConfig);
      out.flush();
      return 0;
    }
    // The chat's terminal opens beside the settings, the log set-up and the profile lock (from
    // Main,
    // beside the parsing too).
    try (Terminals.Opening terminal =
        json ? null : this.terminal != null ? this.terminal : Terminals.Opening.begin()) {
      WarmUp.awaitLogging();
      Settings settings = settings();
      Level level = peer.level();
      NodeOptions options = nodeOptions(settings);
      Profile profile = profileOptions.profile(environment);
      setUpLogging(level, profile);
      ProfileLock lock = profile.lock();
      try {
        chat(options.toBuilder().dataDir(profile.dataDir()).build(), profile, out, terminal);
      } finally {
        lock.close();
      }
    }
    return 0;
  }

  private void chat(
      NodeOptions options, Profile profile, PrintWriter out, Terminals.Opening opening)
      throws Exception {
    PeerNode node = new PeerNode(options);
    Thread hook = new Thread(node::stop, "parlance-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (json) {
        JsonMode front = new JsonMode(node);
        JsonMode.Session session = front.open(JsonMode.printer(out), true);
        node.start();
        session.run(new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)));
      } else {
        try (Terminal terminal = opening.take()) {
          boolean colour = Terminals.colour(terminal, environment);
          if (!plain && Terminals.fullScreen(terminal)) {
            FullScreenMode front =
                new FullScreenMode(node, terminal, profile.createHistoryFile(), colour);
            // The node starts on a thread of its own, so the full-screen chat draws itself
            // meanwhile.
            front.run(OwnThread.run("parlance-start", node::start));
          } else {
            InteractiveMode front =
                new InteractiveMode(node, terminal, profile.createHistoryFile(), colour);
            node.start();
            front.run();
          }
        }
      }
    } finally {
      node.stop();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // The JVM is already shutting down; the hook stops the node again, harmlessly.
      }
    }
  }

  /** Layers the settings: defaults, the config file, the environment, then the flags. */
  Settings settings() {
    return peer.settings(workingDirectory, environment);
  }

  NodeOptions nodeOptions(Settings settings) {
    return peer.nodeOptions(settings);
  }

  private void setUpLogging(Level level, Profile profile) {
    if (json) {
      Logging.toStderr(level);
      return;
    }
    try {
      Path file = logFile;
      if (file == null) {
        profile.createStateDir();
        file = Logging.defaultLogFile(profile);
      }
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Logging.toFile(file, level);
    } catch (IOException | UncheckedIOException e) {
      Logging.toStderr(Level.WARN);
    }
  }
}
