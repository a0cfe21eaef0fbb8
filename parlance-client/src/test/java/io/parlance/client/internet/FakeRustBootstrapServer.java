package io.parlance.client.internet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the Rust Parlance's bootstrap server, as its source behaves: it says nothing after
 * the handshake; {@code register} (needing {@code nickname} and {@code local_addr}) is answered
 * {@code registered} with a fresh UUID and the source IP with the port of {@code local_addr};
 * {@code list_peers} gets every peer, the asker included; {@code heartbeat} gets nothing when
 * registered; {@code unregister} and a close remove the peer; anything else is an {@code error}
 * with only a {@code message}. Nicknames need not be unique. It never pushes.
 */
final class FakeRustBootstrapServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A registration: the fields of the Rust server's {@code PeerInfo}. */
  record Entry(String peerId, String nickname, String publicAddr, String localAddr) {}

  final Map<String, Entry> peers = new ConcurrentHashMap<>();
  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  volatile String refuseNickname;

  private final EventLoopGroup group =
      new NioEventLoopGroup(1, new DefaultThreadFactory("fake-rust-server", true));
  private final Channel channel;

  FakeRustBootstrapServer() throws InterruptedException {
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(16 * 1024))
                        .addLast(new WebSocketServerProtocolHandler("/"))
                        .addLast(new Connection());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  String url() {
    return "ws://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
  }

  long count(String type) {
    return received.stream().filter(n -> type.equals(n.path("type").asText())).count();
  }

  private final class Connection extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private String peerId;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame)
        throws Exception {
      JsonNode msg;
      try {
        msg = JSON.readTree(frame.text());
      } catch (Exception e) {
        error(ctx, "Invalid message format: " + e.getMessage());
        return;
      }
      received.add(msg);
      switch (msg.path("type").asText()) {
        case "register" -> register(ctx, msg);
        case "list_peers" -> list(ctx);
        case "heartbeat" -> {
          if (peerId == null) {
            error(ctx, "Not registered");
          }
        }
        case "unregister" -> {
          if (peerId == null) {
            error(ctx, "Not registered");
          } else {
            peers.remove(peerId);
            peerId = null;
          }
        }
        default -> error(ctx, "Invalid message format: unknown variant `" + msg.path("type") + "`");
      }
    }

    private void register(ChannelHandlerContext ctx, JsonNode msg) {
      if (!msg.path("nickname").isTextual()) {
        error(ctx, "Invalid message format: missing field `nickname`");
        return;
      }
      if (!msg.path("local_addr").isTextual()) {
        error(ctx, "Invalid message format: missing field `local_addr`");
        return;
      }
      String nickname = msg.get("nickname").asText();
      if (nickname.equals(refuseNickname)) {
        error(ctx, "Nickname refused by the test");
        return;
      }
      String local = msg.get("local_addr").asText();
      String ip = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
      String publicAddr = ip + ":" + local.substring(local.lastIndexOf(':') + 1);
      peerId = UUID.randomUUID().toString();
      peers.put(peerId, new Entry(peerId, nickname, publicAddr, local));
      ObjectNode reply = JSON.createObjectNode();
      reply.put("type", "registered").put("peer_id", peerId).put("public_addr", publicAddr);
      ctx.writeAndFlush(new TextWebSocketFrame(reply.toString()));
    }

    private void list(ChannelHandlerContext ctx) {
      ObjectNode reply = JSON.createObjectNode();
      reply.put("type", "peer_list");
      ArrayNode list = reply.putArray("peers");
      for (Entry e : peers.values()) {
        list.addObject()
            .put("peer_id", e.peerId())
            .put("nickname", e.nickname())
            .put("public_addr", e.publicAddr())
            .put("local_addr", e.localAddr())
            .put("last_seen", System.currentTimeMillis() / 1000);
      }
      ctx.writeAndFlush(new TextWebSocketFrame(reply.toString()));
    }

    private void error(ChannelHandlerContext ctx, String message) {
      ObjectNode reply = JSON.createObjectNode();
      reply.put("type", "error").put("message", message);
      ctx.writeAndFlush(new TextWebSocketFrame(reply.toString()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (peerId != null) {
        peers.remove(peerId);
      }
      super.channelInactive(ctx);
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5_000);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }
}
