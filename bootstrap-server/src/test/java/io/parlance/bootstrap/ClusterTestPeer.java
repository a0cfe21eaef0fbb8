package io.parlance.bootstrap;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.protocol.bootstrap.BootstrapCodec;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lightweight peer for the cluster tests: one WebSocket connection that answers the challenge
 * with a registration (signed when it has keys), then keeps the set of peers it knows from the
 * pages (following every cursor) and the join/leave events, and remembers who it saw leave.
 */
final class ClusterTestPeer implements AutoCloseable {

  static final EventLoopGroup GROUP =
      new NioEventLoopGroup(2, new DefaultThreadFactory("cluster-test-peer", true));

  final String nickname;
  final Map<String, PeerInfo> view = new ConcurrentHashMap<>();
  final Set<String> sawLeave = ConcurrentHashMap.newKeySet();
  final CompletableFuture<ServerFrame.Registered> registered = new CompletableFuture<>();
  final CompletableFuture<ServerFrame.Error> refused = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final int tcpPort;
  private final TestKeys keys;
  private Boolean events;
  private volatile Channel channel;

  private ClusterTestPeer(String nickname, int tcpPort, TestKeys keys) {
    this.nickname = nickname;
    this.tcpPort = tcpPort;
    this.keys = keys;
  }

  /** Like {@link #open}, registering with {@code events:false} (no join and leave events). */
  static ClusterTestPeer openQuiet(URI server, String nickname, int tcpPort) {
    ClusterTestPeer peer = new ClusterTestPeer(nickname, tcpPort, null);
    peer.events = Boolean.FALSE;
    peer.connect(server);
    return peer;
  }

  /** Connects and registers in the background; watch {@link #registered} and {@link #refused}. */
  static ClusterTestPeer open(URI server, String nickname, int tcpPort, TestKeys keys) {
    ClusterTestPeer peer = new ClusterTestPeer(nickname, tcpPort, keys);
    peer.connect(server);
    return peer;
  }

  private void connect(URI uri) {
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .maxFramePayloadLength(BootstrapProtocol.MAX_SERVER_FRAME_BYTES)
            .handshakeTimeoutMillis(20_000)
            .customHeaders(
                new DefaultHttpHeaders()
                    .add(BootstrapProtocol.DIALECT_HEADER, BootstrapProtocol.DIALECT_VERSION))
            .build();
    Bootstrap b =
        new Bootstrap()
            .group(GROUP)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(64 * 1024),
                            new WebSocketClientProtocolHandler(config),
                            new Handler());
                  }
                });
    var f = b.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
    channel = f.channel();
    channel.closeFuture().addListener(done -> closed.complete(null));
  }

  private void send(ChannelHandlerContext ctx, BootstrapFrame frame) {
    ctx.writeAndFlush(BootstrapCodec.toTextFrame(ctx.alloc(), frame));
  }

  private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (!(frame instanceof TextWebSocketFrame text)) {
        return;
      }
      BootstrapFrame f =
          BootstrapCodec.readAnyServerFrame(
              text.content(), BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
      if (f instanceof ServerFrame.Challenge challenge) {
        send(
            ctx,
            keys == null
                ? new ClientFrame.Register(nickname, tcpPort, null, events, null, null, null, null)
                : keys.register(nickname, tcpPort, challenge.nonce()));
      } else if (f instanceof ServerFrame.Registered r) {
        registered.complete(r);
      } else if (f instanceof ServerFrame.Peers page) {
        for (PeerInfo p : page.peers()) {
          if (!p.nickname().equals(nickname)) {
            view.put(p.nickname(), p);
          }
        }
        if (page.nextCursor() != null) {
          send(
              ctx,
              new ClientFrame.ListPeers(page.nextCursor(), BootstrapProtocol.MAX_PAGE, "page"));
        }
      } else if (f instanceof ServerFrame.PeersChanged changed) {
        for (PeerInfo p : changed.left()) {
          if (view.remove(p.nickname()) != null) {
            sawLeave.add(p.nickname());
          }
        }
        for (PeerInfo p : changed.joined()) {
          if (!p.nickname().equals(nickname)) {
            view.put(p.nickname(), p);
          }
        }
      } else if (f instanceof ServerFrame.Error e) {
        refused.complete(e);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      registered.completeExceptionally(cause);
      ctx.close();
    }
  }

  @Override
  public void close() {
    Channel ch = channel;
    if (ch != null) {
      ch.close().awaitUninterruptibly(5_000);
    }
  }
}
