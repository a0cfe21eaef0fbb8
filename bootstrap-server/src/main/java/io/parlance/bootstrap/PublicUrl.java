package io.parlance.bootstrap;

import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * The URL peers reach a server at, and the relay URL that follows from it: what an offer from
 * another server of the cluster tells a peer to join. Given with {@code --public-url}, or derived
 * from the bound address: {@code ws://} ({@code wss://} with TLS), the bound host, or this
 * machine's host name when bound to every address, and the bound port.
 */
public final class PublicUrl {

  private PublicUrl() {}

  /**
   * Checks a public URL.
   *
   * @param url the text
   * @return the URL
   * @throws IllegalArgumentException saying what a public URL looks like
   */
  public static URI check(String url) {
    try {
      URI uri = new URI(url);
      if (("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme()))
          && uri.getHost() != null
          && uri.getRawUserInfo() == null
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null) {
        RelayFrames.requireRelayUrl(relayOf(uri).toString());
        return uri;
      }
    } catch (URISyntaxException | ProtocolException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "--public-url must be the ws:// or wss:// URL peers reach this server at, e.g."
            + " wss://bs1.example.org or ws://bs1:8080 (a path prefix is kept), not '"
            + printable(url)
            + "'");
  }

  /**
   * Returns the relay URL of a server.
   *
   * @param publicUrl the URL given, or null to derive it
   * @param tls whether the server speaks TLS itself
   * @param boundHost the host it was told to bind
   * @param port the bound port
   * @return the URL of its {@value RelayFrames#PATH} WebSocket
   */
  public static String relayUrl(String publicUrl, boolean tls, String boundHost, int port) {
    URI base =
        publicUrl != null
            ? check(publicUrl)
            : URI.create((tls ? "wss://" : "ws://") + hostPart(boundHost) + ":" + port);
    return relayOf(base).toString();
  }

  private static URI relayOf(URI base) {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    try {
      return new URI(
          base.getScheme(),
          null,
          base.getHost(),
          base.getPort(),
          path + RelayFrames.PATH,
          null,
          null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot make a relay URL of " + base, e);
    }
  }

  private static String hostPart(String boundHost) {
    String host = boundHost;
    if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static String printable(String text) {
    StringBuilder b = new StringBuilder();
    text.codePoints()
        .limit(200)
        .forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return b.toString();
  }
}
