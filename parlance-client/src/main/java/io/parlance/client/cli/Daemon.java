package io.parlance.client.cli;

import io.parlance.client.control.ControlServer;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import io.parlance.client.profile.Profile;
import io.parlance.client.profile.ProfileLock;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A headless peer: the profile's lock, a node, and the control socket serving the JSON-lines front
 * end to local clients. {@link #close()} says goodbye and undoes it all, in order.
 */
final class Daemon implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  private final ProfileLock lock;
  private final PeerNode node;
  private final JsonMode json;
  private final ControlServer control;

  private Daemon(ProfileLock lock, PeerNode node, JsonMode json, ControlServer control) {
    this.lock = lock;
    this.node = node;
    this.json = json;
    this.control = control;
  }

  /**
   * Locks the profile, starts the node and then the control socket (so a socket that answers means
   * a running node).
   *
   * @param options the node's options
   * @param profile the profile
   * @param limits the control socket's bounds
   * @return the running daemon
   * @throws io.parlance.client.profile.ProfileInUseException if another parlance uses the profile
   * @throws IOException if the control socket cannot be bound
   * @throws InterruptedException if interrupted while starting
   */
  static Daemon start(NodeOptions options, Profile profile, ControlServer.Limits limits)
      throws IOException, InterruptedException {
    ProfileLock lock = profile.lock();
    PeerNode node = new PeerNode(options.toBuilder().dataDir(profile.dataDir()).build());
    try {
      JsonMode json = new JsonMode(node);
      node.start();
      ControlServer control =
          ControlServer.start(
              profile.controlSocket(), limits, connection -> json.open(connection::send, false));
      LOG.info(
          "Daemon {} running: TCP port {}, LAN discovery {}, control socket {}",
          node.nickname(),
          node.tcpPort(),
          node.networkInterface() == null ? "off" : "on " + node.networkInterface().getName(),
          profile.controlSocket());
      return new Daemon(lock, node, json, control);
    } catch (IOException | InterruptedException | RuntimeException e) {
      try {
        node.stop();
      } finally {
        lock.close();
      }
      throw e;
    }
  }

  PeerNode node() {
    return node;
  }

  JsonMode json() {
    return json;
  }

  ControlServer control() {
    return control;
  }

  /** Stops taking control connections, says goodbye, closes the connections, releases the lock. */
  @Override
  public void close() {
    try {
      control.stopAccepting();
    } catch (IOException e) {
      LOG.warn("Cannot remove the control socket: {}", e.getMessage());
    } finally {
      try {
        node.stop(); // followers get the stopped event before their connections close
      } finally {
        try {
          control.close();
        } finally {
          try {
            lock.close();
          } catch (IOException e) {
            LOG.warn("Cannot release the profile lock: {}", e.getMessage());
          }
        }
      }
    }
  }
}
