package io.parlance.client.cli;

import io.parlance.client.config.Settings;
import io.parlance.client.control.ControlServer;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.profile.Profile;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code parlance daemon}: a peer with no terminal, driven through its control socket. */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Run a peer with no terminal until SIGTERM or SIGINT, then say goodbye and exit 0.",
      "Logs go to stderr. Local programs drive it through its control socket,"
          + " <data dir>/control.sock: parlance send, parlance peers, parlance inbox, parlance room,"
          + " or JSON lines as in --json mode."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT",
      "1:failed (the reason is printed), e.g. the profile is in use",
      "2:usage error (bad flag, config file or nickname)"
    })
final class DaemonCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DaemonCommand.class);
  private static final long SHUTDOWN_WAIT_SECONDS = 15;

  @ParentCommand ParlanceCommand parent;

  @Mixin PeerOptions peer;

  @Mixin ProfileOptions profileOptions;

  @Override
  public Integer call() throws Exception {
    Settings settings = peer.settings(parent.workingDirectory, parent.environment);
    NodeOptions options = peer.nodeOptions(settings);
    Profile profile = profileOptions.profile(parent.environment);
    Logging.toStderr(peer.level());

    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Signals.onTermination(stop::countDown);
    // Without signal handlers (or on another way out), the hook stops the daemon just the same.
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                stopped.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "parlance-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Daemon daemon = Daemon.start(options, profile, ControlServer.Limits.DEFAULTS)) {
      stop.await();
      LOG.info("Stopping the daemon {}", daemon.node().nickname());
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // The JVM is already shutting down; the hook finds the daemon stopped.
      }
    }
    return 0;
  }
}
