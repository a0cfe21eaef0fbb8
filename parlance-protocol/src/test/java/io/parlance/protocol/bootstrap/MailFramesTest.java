package io.parlance.protocol.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailFramesTest {

  static final String ALICE = "JFXF-H3SC-ESJH-7WS6-IXNF-HP3J-EIHC-2WPO-V6VT-5VEZ-MI2E-ZM6W-H2BA";
  static final String BOB = "MFRG-GZDF-MFRG-GZDF-MFRG-GZDF-MFRG-GZDF-MFRG-GZDF-MFRG-GZDF-MFRG";
  static final String KEY32 = Base64.getEncoder().encodeToString(new byte[32]);
  static final String SIG64 = Base64.getEncoder().encodeToString(new byte[64]);
  static final String ED_KEY = "MCowBQYDK2VwAyEAfuT0tMSaDNQTTbB/gud35CIZ7gwvKPLfAqYIJxm57yo=";
  static final String SEALED = Base64.getEncoder().encodeToString(new byte[300]);

  static Stream<BootstrapFrame> frames() {
    return Stream.of(
        new MailClientFrame.KeyPublish(KEY32, SIG64, "k"),
        new MailClientFrame.KeyLookup(BOB, null),
        new MailClientFrame.Deposit(ALICE, BOB, KEY32, "m-1", SEALED, "d1"),
        new MailClientFrame.Fetch(null, null, null),
        new MailClientFrame.Fetch(42L, 100, "f"),
        new MailClientFrame.Ack(
            List.of(new MailClientFrame.Receipt(ALICE, "m-1", SIG64)),
            List.of(new MailClientFrame.Done(BOB, "m-2")),
            "a"),
        new MailServerFrame.MailKey(BOB, ED_KEY, KEY32, SIG64, "k"),
        new MailServerFrame.Deposited("m-1", 1_796_000_000L, "d1"),
        new MailServerFrame.Mail(
            List.of(new MailServerFrame.Item(7, ALICE, "m-1", SEALED, 1_795_000_000L)),
            List.of(
                new MailServerFrame.Notice("delivered", BOB, "m-2", SIG64),
                new MailServerFrame.Notice("expired", BOB, "m-3", null)),
            7,
            false,
            "f"),
        new MailServerFrame.Acked(2, "a"));
  }

  @ParameterizedTest
  @MethodSource("frames")
  void everyMailFrameSurvivesARoundTrip(BootstrapFrame frame) {
    ByteBuf buf = BootstrapCodec.encode(ByteBufAllocator.DEFAULT, frame);
    try {
      BootstrapFrame back =
          frame instanceof ClientFrame
              ? BootstrapCodec.readClientFrame(buf, BootstrapProtocol.MAX_SERVER_FRAME_BYTES)
              : BootstrapCodec.readServerFrame(buf, BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
      assertThat(back).isEqualTo(frame);
    } finally {
      buf.release();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // missing fields
        "{\"type\":\"mail_deposit\",\"from\":\"" + ALICE + "\",\"to\":\"" + BOB + "\"}",
        "{\"type\":\"mail_key_publish\",\"mail_key\":\"" + "AAAA" + "\",\"mail_sig\":\"x\"}",
        // not a peer id
        "{\"type\":\"mail_key_lookup\",\"to\":\"bob\"}",
        "{\"type\":\"mail_key_lookup\",\"to\":42}",
        // a mail key of the wrong size, not base64
        "{\"type\":\"mail_deposit\",\"from\":\""
            + ALICE
            + "\",\"to\":\""
            + BOB
            + "\",\"mail_key\":\"AAAA\",\"msg\":\"m\",\"sealed\":\"AAAA\"}",
        "{\"type\":\"mail_deposit\",\"from\":\""
            + ALICE
            + "\",\"to\":\""
            + BOB
            + "\",\"mail_key\":\""
            + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
            + "\",\"msg\":\"m\","
            + "\"sealed\":\"!!!!\"}",
        // a message id with a control character or a space, an empty one
        "{\"type\":\"mail_ack\",\"receipts\":[{\"from\":\""
            + ALICE
            + "\",\"msg\":\"a\\u001bb\","
            + "\"sig\":\""
            + "x"
            + "\"}]}",
        "{\"type\":\"mail_ack\",\"done\":[{\"to\":\"" + BOB + "\",\"msg\":\"\"}]}",
        "{\"type\":\"mail_ack\",\"done\":[null]}",
        // negative positions
        "{\"type\":\"mail_fetch\",\"after\":-1}",
        "{\"type\":\"mail_fetch\",\"limit\":0}",
        "{\"type\":\"mail_fetch\",\"after\":\"1\"}",
      })
  void malformedMailFramesAreRefusedWithAProtocolError(String json) {
    ByteBuf buf = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    try {
      assertThatThrownBy(
              () -> BootstrapCodec.readClientFrame(buf, BootstrapProtocol.MAX_CLIENT_FRAME_BYTES))
          .isInstanceOf(ProtocolException.class);
    } finally {
      buf.release();
    }
  }

  @org.junit.jupiter.api.Test
  void anOversizedSealOrTooManyAcksIsALimitError() {
    String big = "A".repeat(MailFields.MAX_SEALED_CHARS + 4);
    assertThatThrownBy(() -> new MailClientFrame.Deposit(ALICE, BOB, KEY32, "m", big, null))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).kind())
        .isEqualTo(ProtocolError.LIMIT_EXCEEDED);
    List<MailClientFrame.Done> many =
        Collections.nCopies(MailFields.MAX_ACKS + 1, new MailClientFrame.Done(BOB, "m"));
    assertThatThrownBy(() -> new MailClientFrame.Ack(null, many, null))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).kind())
        .isEqualTo(ProtocolError.LIMIT_EXCEEDED);
  }

  @org.junit.jupiter.api.Test
  void aFullSizeDepositFitsOneClientFrame() {
    String sealed = Base64.getEncoder().encodeToString(new byte[MailFields.MAX_SEALED_BYTES]);
    assertThat(sealed.length()).isLessThanOrEqualTo(MailFields.MAX_SEALED_CHARS);
    MailClientFrame.Deposit d =
        new MailClientFrame.Deposit(ALICE, BOB, KEY32, "0".repeat(64), sealed, "x".repeat(64));
    assertThat(d.sealedBytes()).isEqualTo(MailFields.MAX_SEALED_BYTES);
    ByteBuf buf = BootstrapCodec.encode(ByteBufAllocator.DEFAULT, d);
    try {
      assertThat(buf.readableBytes()).isLessThanOrEqualTo(BootstrapProtocol.MAX_CLIENT_FRAME_BYTES);
      assertThat(BootstrapCodec.readClientFrame(buf, BootstrapProtocol.MAX_CLIENT_FRAME_BYTES))
          .isEqualTo(d);
    } finally {
      buf.release();
    }
  }
}
