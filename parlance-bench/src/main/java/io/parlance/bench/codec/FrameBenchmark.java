package io.parlance.bench.codec;

import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parlance.client.security.Identity;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.protocol.bootstrap.BootstrapCodec;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.protocol.identity.Signatures;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryMessage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode costs of the bootstrap server's frames and of the signed messages: a signed
 * registration, a page of the peer list and a join event as the server sends them (every peer
 * signed), a signed announce, and the Ed25519 checks a peer makes of what it reads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameBenchmark {

  private static final List<String> CAPS = List.of("tls", "ack");
  private static final String NONCE = Base64.getEncoder().encodeToString(new byte[32]);
  private static final ObjectReader ANNOUNCE_READER =
      WireJson.mapper().readerFor(DiscoveryMessage.class);

  private ClientFrame.Register register;
  private byte[] registerBytes;
  private ServerFrame.Peers page;
  private byte[] pageBytes;
  private ServerFrame.PeersChanged joined;
  private byte[] joinedBytes;
  private Announce announce;
  private byte[] announceBytes;
  private PeerInfo signedPeer;

  /** Builds the signed frames. */
  @Setup(Level.Trial)
  public void setUp() {
    register = signedRegister("alice", 36091);
    registerBytes = WireJson.toBytes(register);
    List<PeerInfo> peers = new ArrayList<>();
    for (int i = 0; i < BootstrapProtocol.DEFAULT_PAGE; i++) {
      peers.add(signedPeer("peer" + i, 10_000 + i));
    }
    page = new ServerFrame.Peers(peers, "peer199", null);
    pageBytes = WireJson.toBytes(page);
    signedPeer = peers.get(0);
    joined = new ServerFrame.PeersChanged(List.of(signedPeer), List.of());
    joinedBytes = WireJson.toBytes(joined);
    announce = new SignedDiscovery(Identity.generate(), CAPS).announce("alice", 36091);
    announceBytes = WireJson.toBytes((DiscoveryMessage) announce);
  }

  private static ClientFrame.Register signedRegister(String nickname, int port) {
    Identity identity = Identity.generate();
    ClientFrame.Register unsigned =
        new ClientFrame.Register(
            nickname,
            port,
            null,
            null,
            identity.id().value(),
            identity.encodedPublicKey(),
            CAPS,
            null);
    return new ClientFrame.Register(
        nickname,
        port,
        null,
        null,
        unsigned.id(),
        unsigned.key(),
        CAPS,
        Base64.getEncoder().encodeToString(identity.sign(unsigned.signedPayload(NONCE))));
  }

  private static PeerInfo signedPeer(String nickname, int port) {
    ClientFrame.Register r = signedRegister(nickname, port);
    return new PeerInfo(nickname, "10.0.0.2:" + port, null, r.id(), r.key(), CAPS, NONCE, r.sig());
  }

  private static int encodedLength(BootstrapFrame frame) {
    ByteBuf out = BootstrapCodec.encode(PooledByteBufAllocator.DEFAULT, frame);
    int length = out.readableBytes();
    out.release();
    return length;
  }

  /**
   * Encodes a signed registration.
   *
   * @return the length
   */
  @Benchmark
  public int registerEncode() {
    return encodedLength(register);
  }

  /**
   * Decodes and validates a signed registration, as the server does (signature not checked).
   *
   * @return the frame
   */
  @Benchmark
  public ClientFrame registerDecode() {
    return BootstrapCodec.readClientFrame(
        Unpooled.wrappedBuffer(registerBytes), BootstrapProtocol.MAX_CLIENT_FRAME_BYTES);
  }

  /**
   * Checks a registration's signature and fingerprint, as the server does for each one.
   *
   * @return what is wrong, empty
   */
  @Benchmark
  public Optional<String> registerVerify() {
    return register.identityProblem(NONCE);
  }

  /**
   * Encodes a page of 200 signed peers, the first answer to every registration.
   *
   * @return the length
   */
  @Benchmark
  public int peersPageEncode() {
    return encodedLength(page);
  }

  /**
   * Decodes and validates a page of 200 signed peers, as a client does (signatures not checked).
   *
   * @return the frame
   */
  @Benchmark
  public ServerFrame peersPageDecode() {
    return BootstrapCodec.readServerFrame(
        Unpooled.wrappedBuffer(pageBytes), BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
  }

  /**
   * Encodes a join event of one signed peer, which the server sends to every subscriber.
   *
   * @return the length
   */
  @Benchmark
  public int joinEncode() {
    return encodedLength(joined);
  }

  /**
   * Decodes a join event of one signed peer.
   *
   * @return the frame
   */
  @Benchmark
  public ServerFrame joinDecode() {
    return BootstrapCodec.readServerFrame(
        Unpooled.wrappedBuffer(joinedBytes), BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
  }

  /**
   * Checks one listed peer's signature and fingerprint, as a client does for every peer it reads.
   *
   * @return what is wrong, empty
   */
  @Benchmark
  public Optional<String> peerVerify() {
    return signedPeer.identityProblem();
  }

  /**
   * Decodes a signed announce (the JSON and its validation).
   *
   * @return the message
   */
  @Benchmark
  public DiscoveryMessage signedAnnounceDecode() {
    return WireJson.read(Unpooled.wrappedBuffer(announceBytes), ANNOUNCE_READER);
  }

  /**
   * Checks a signed announce's signature and fingerprint, as a peer does for each one it hears.
   *
   * @return what is wrong, empty
   */
  @Benchmark
  public Optional<String> announceVerify() {
    return Signatures.problem(
        announce.id(), announce.key(), announce.sig(), announce.signedPayload());
  }

  /** For the test: the frames as built. */
  ClientFrame.Register register() {
    return register;
  }

  ServerFrame.Peers page() {
    return page;
  }

  ServerFrame.PeersChanged joined() {
    return joined;
  }

  Announce announce() {
    return announce;
  }
}
