package io.parlance.client.control;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.LineEncoder;
import io.netty.handler.codec.string.LineSeparator;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;

/**
 * The pipeline of a control connection, or its refusal when the server is full:
 *
 * <pre>
 *   bytes in → {@value #FRAMER} (lines, at most maxLineBytes) → {@value #SESSION}
 *   bytes out ← {@value #ENCODER} (a string, UTF-8, then \n) ← {@value #SESSION}
 * </pre>
 *
 * The session handler hands each line to a command thread of its own, never running a command on
 * the event loop: a command may do file work (accepting a key writes the trust store).
 */
final class ControlInitializer extends ChannelInitializer<Channel> {

  /** The line framer. */
  static final String FRAMER = "framer";

  /** The line encoder. */
  static final String ENCODER = "encoder";

  /** The {@link ControlHandler}. */
  static final String SESSION = "session";

  private final ControlServer server;
  private final EventExecutorGroup commands;

  ControlInitializer(ControlServer server, EventExecutorGroup commands) {
    this.server = server;
    this.commands = commands;
  }

  @Override
  protected void initChannel(Channel ch) {
    ControlServer.Limits limits = server.limits();
    ch.pipeline().addLast(ENCODER, new LineEncoder(LineSeparator.UNIX, StandardCharsets.UTF_8));
    if (!server.admit(ch)) {
      return; // refused: told why (through the encoder) and closed
    }
    ch.pipeline()
        .addFirst(FRAMER, new LineBasedFrameDecoder(limits.maxLineBytes(), true, true))
        .addLast(SESSION, new ControlHandler(server, ch, commands.next()));
  }
}
