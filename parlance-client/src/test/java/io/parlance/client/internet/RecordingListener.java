package io.parlance.client.internet;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers everything a {@link BootstrapClient} reports, for assertions. */
final class RecordingListener implements BootstrapListener {

  final List<URI> connected = new CopyOnWriteArrayList<>();
  final List<InetSocketAddress> registered = new CopyOnWriteArrayList<>();
  final Map<String, InetSocketAddress> online = new ConcurrentHashMap<>();
  final Map<String, RemotePeer> peers = new ConcurrentHashMap<>();
  final List<String> left = new CopyOnWriteArrayList<>();
  final List<String> disconnected = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();

  @Override
  public void onConnected(URI server) {
    connected.add(server);
  }

  @Override
  public void onRegistered(InetSocketAddress address) {
    registered.add(address);
  }

  @Override
  public void onPeerJoined(RemotePeer peer) {
    peers.put(peer.nickname(), peer);
    online.put(peer.nickname(), peer.address());
  }

  @Override
  public void onPeerLeft(String nickname, InetSocketAddress address) {
    online.remove(nickname);
    peers.remove(nickname);
    left.add(nickname);
  }

  @Override
  public void onDisconnected(String reason) {
    disconnected.add(reason);
  }

  @Override
  public void onError(String code, String message) {
    errors.add(code + ": " + message);
  }
}
