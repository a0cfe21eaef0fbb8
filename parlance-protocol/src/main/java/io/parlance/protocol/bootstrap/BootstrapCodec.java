package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;

/**
 * Reads and writes bootstrap frames as the JSON content of WebSocket text frames, through {@link
 * WireJson}'s bounded, strict mapper. Every failure is a {@link ProtocolException}.
 */
public final class BootstrapCodec {

  private static final ObjectReader CLIENT_READER = WireJson.mapper().readerFor(ClientFrame.class);
  private static final ObjectReader SERVER_READER = WireJson.mapper().readerFor(ServerFrame.class);
  private static final ObjectWriter CLIENT_WRITER = WireJson.mapper().writerFor(ClientFrame.class);
  private static final ObjectWriter SERVER_WRITER = WireJson.mapper().writerFor(ServerFrame.class);
  private static final ObjectReader RUST_CLIENT_READER =
      WireJson.mapper().readerFor(RustClientFrame.class);
  private static final ObjectReader RUST_SERVER_READER =
      WireJson.mapper().readerFor(RustServerFrame.class);
  private static final ObjectWriter RUST_CLIENT_WRITER =
      WireJson.mapper().writerFor(RustClientFrame.class);
  private static final ObjectWriter RUST_SERVER_WRITER =
      WireJson.mapper().writerFor(RustServerFrame.class);

  private BootstrapCodec() {}

  /**
   * Reads a client frame from the readable bytes of a buffer, which it neither consumes nor
   * releases.
   *
   * @param content UTF-8 JSON
   * @param maxBytes the largest content accepted
   * @return the frame
   * @throws ProtocolException saying what was wrong
   */
  public static ClientFrame readClientFrame(ByteBuf content, int maxBytes) {
    checkSize(content, maxBytes);
    return WireJson.read(content, CLIENT_READER);
  }

  /**
   * Reads a server frame from the readable bytes of a buffer, which it neither consumes nor
   * releases.
   *
   * @param content UTF-8 JSON
   * @param maxBytes the largest content accepted
   * @return the frame
   * @throws ProtocolException saying what was wrong
   */
  public static ServerFrame readServerFrame(ByteBuf content, int maxBytes) {
    checkSize(content, maxBytes);
    return WireJson.read(content, SERVER_READER);
  }

  /**
   * Reads a frame a client sends, in either dialect: ours first, then the Rust Parlance's (for
   * {@code register} with {@code local_addr}, {@code list_peers}, {@code heartbeat}). A frame
   * neither dialect reads fails with our dialect's complaint.
   *
   * @param content UTF-8 JSON
   * @param maxBytes the largest content accepted
   * @return a {@link ClientFrame} or a {@link RustClientFrame}
   * @throws ProtocolException saying what was wrong
   */
  public static BootstrapFrame readAnyClientFrame(ByteBuf content, int maxBytes) {
    return readEither(content, maxBytes, CLIENT_READER, RUST_CLIENT_READER);
  }

  /**
   * Reads a frame a server sends, in either dialect: ours first, then the Rust Parlance's ({@code
   * registered} with {@code peer_id}, {@code peer_list}, {@code error} without a code). A frame
   * neither dialect reads fails with our dialect's complaint.
   *
   * @param content UTF-8 JSON
   * @param maxBytes the largest content accepted
   * @return a {@link ServerFrame} or a {@link RustServerFrame}
   * @throws ProtocolException saying what was wrong
   */
  public static BootstrapFrame readAnyServerFrame(ByteBuf content, int maxBytes) {
    return readEither(content, maxBytes, SERVER_READER, RUST_SERVER_READER);
  }

  private static BootstrapFrame readEither(
      ByteBuf content, int maxBytes, ObjectReader oursReader, ObjectReader rustReader) {
    checkSize(content, maxBytes);
    try {
      return WireJson.read(content, oursReader);
    } catch (ProtocolException ours) {
      try {
        return WireJson.read(content, rustReader);
      } catch (ProtocolException rust) {
        throw ours;
      }
    }
  }

  /**
   * Encodes a frame as compact JSON into a new buffer, which the caller owns.
   *
   * @param alloc the allocator
   * @param frame the frame
   * @return the JSON bytes
   * @throws ProtocolException of kind {@link ProtocolError#UNENCODABLE} if it cannot be written
   */
  public static ByteBuf encode(ByteBufAllocator alloc, BootstrapFrame frame) {
    ByteBuf buf = alloc.buffer(128);
    try {
      WireJson.write(buf, writerFor(frame), frame);
      return buf;
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /**
   * Encodes a frame as a WebSocket text frame, which the caller owns.
   *
   * @param alloc the allocator
   * @param frame the frame
   * @return the text frame
   */
  public static TextWebSocketFrame toTextFrame(ByteBufAllocator alloc, BootstrapFrame frame) {
    return new TextWebSocketFrame(encode(alloc, frame));
  }

  private static ObjectWriter writerFor(BootstrapFrame frame) {
    if (frame instanceof ClientFrame) {
      return CLIENT_WRITER;
    } else if (frame instanceof ServerFrame) {
      return SERVER_WRITER;
    } else if (frame instanceof RustClientFrame) {
      return RUST_CLIENT_WRITER;
    }
    return RUST_SERVER_WRITER;
  }

  private static void checkSize(ByteBuf content, int maxBytes) {
    if (content.readableBytes() > maxBytes) {
      throw new ProtocolException(
          ProtocolError.FRAME_TOO_LARGE,
          "frame of " + content.readableBytes() + " bytes is over the limit of " + maxBytes);
    }
  }
}
