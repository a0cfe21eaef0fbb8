package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/**
 * The mailbox frames a peer sends to the bootstrap server: publish its mail key, look up another
 * peer's, deposit a sealed message for an offline peer, fetch its own mail and acknowledge it. Each
 * needs a registration proven by a key; each may carry a request {@code id}, echoed in the answer
 * ({@link MailServerFrame}) or in the {@code error}.
 */
public sealed interface MailClientFrame extends ClientFrame
    permits MailClientFrame.KeyPublish,
        MailClientFrame.KeyLookup,
        MailClientFrame.Deposit,
        MailClientFrame.Fetch,
        MailClientFrame.Ack {

  /**
   * Returns the request id.
   *
   * @return the id, or null
   */
  String id();

  /**
   * {@code {"type":"mail_key_publish","mail_key":"..","mail_sig":".."}}: this registration's mail
   * key (X25519), bound to its identity by {@code mail_sig}, the identity key's signature of {@link
   * MailFields#mailKeyPayload}. Answered by {@link MailServerFrame.MailKey}.
   *
   * @param mailKey base64 of the raw 32-byte X25519 public key
   * @param mailSig base64 Ed25519 signature of the binding
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"mail_key", "mail_sig", "id"})
  @JsonInclude(Include.NON_NULL)
  record KeyPublish(
      @JsonProperty(value = "mail_key", required = true) String mailKey,
      @JsonProperty(value = "mail_sig", required = true) String mailSig,
      @JsonProperty("id") String id)
      implements MailClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_key_publish";

    /** Validates the fields. */
    @JsonCreator
    public KeyPublish {
      MailFields.requireMailKey("mail_key", mailKey);
      MailFields.requireSig("mail_sig", mailSig);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"mail_key_lookup","to":"<peer id>"}}: the mail key a peer published last, online
   * or not. Answered by {@link MailServerFrame.MailKey}, or {@code error} {@code no_mail_key}.
   *
   * @param to the peer's id
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"to", "id"})
  @JsonInclude(Include.NON_NULL)
  record KeyLookup(
      @JsonProperty(value = "to", required = true) String to, @JsonProperty("id") String id)
      implements MailClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_key_lookup";

    /** Validates the fields. */
    @JsonCreator
    public KeyLookup {
      MailFields.requirePeerId("to", to);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"mail_deposit","from":..,"to":..,"mail_key":..,"msg":..,"sealed":..}}: keep this
   * sealed message for {@code to}. {@code from} must be the id this connection registered with, and
   * {@code mail_key} the key {@code to} published last. Answered by {@link
   * MailServerFrame.Deposited}, or {@code error} ({@code mailbox_full}, {@code mail_too_large},
   * {@code mail_key_mismatch}, {@code no_mail_key}, {@code rate_limited}, {@code mail_refused}).
   *
   * @param from the sender's id
   * @param to the recipient's id
   * @param mailKey the recipient's mail key the message is sealed to
   * @param msg the message id (a deposit of the same id from the same sender is kept once)
   * @param sealed base64 of the sealed message
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"from", "to", "mail_key", "msg", "sealed", "id"})
  @JsonInclude(Include.NON_NULL)
  record Deposit(
      @JsonProperty(value = "from", required = true) String from,
      @JsonProperty(value = "to", required = true) String to,
      @JsonProperty(value = "mail_key", required = true) String mailKey,
      @JsonProperty(value = "msg", required = true) String msg,
      @JsonProperty(value = "sealed", required = true) String sealed,
      @JsonProperty("id") String id)
      implements MailClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_deposit";

    /** Validates the fields. */
    @JsonCreator
    public Deposit {
      MailFields.requirePeerId("from", from);
      MailFields.requirePeerId("to", to);
      MailFields.requireMailKey("mail_key", mailKey);
      MailFields.requireMsg("msg", msg);
      MailFields.requireBase64("sealed", sealed, MailFields.MAX_SEALED_CHARS, 0);
      BootstrapProtocol.requireValidId(id);
    }

    /**
     * Returns the sealed message's size in bytes.
     *
     * @return the decoded length of {@code sealed}
     */
    public int sealedBytes() {
      int pad = sealed.endsWith("==") ? 2 : sealed.endsWith("=") ? 1 : 0;
      return sealed.length() / 4 * 3 - pad;
    }
  }

  /**
   * {@code {"type":"mail_fetch","after":0,"limit":100}}: this peer's waiting mail after a position,
   * and the notices (receipts, expiries) for mail it deposited. Answered by {@link
   * MailServerFrame.Mail}.
   *
   * @param after the {@code next} of the previous answer, or null for the start
   * @param limit the most items wanted, or null for the server's default
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"after", "limit", "id"})
  @JsonInclude(Include.NON_NULL)
  record Fetch(
      @JsonProperty("after") Long after,
      @JsonProperty("limit") Integer limit,
      @JsonProperty("id") String id)
      implements MailClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_fetch";

    /** Validates the fields. */
    @JsonCreator
    public Fetch {
      if (after != null && after < 0) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field 'after' must not be negative");
      }
      if (limit != null && limit < 1) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field 'limit' must be at least 1");
      }
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"mail_ack","receipts":[..],"done":[..]}}: the recipient stored these messages
   * (the server deletes them and keeps each signed receipt for its sender), and the sender is done
   * with these notices (the server deletes them). Answered by {@link MailServerFrame.Acked}.
   *
   * @param receipts one per stored message, at most {@link MailFields#MAX_ACKS}
   * @param done notices handled, at most {@link MailFields#MAX_ACKS}
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"receipts", "done", "id"})
  @JsonInclude(Include.NON_NULL)
  record Ack(
      @JsonProperty("receipts") List<Receipt> receipts,
      @JsonProperty("done") List<Done> done,
      @JsonProperty("id") String id)
      implements MailClientFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_ack";

    /** Validates the fields. */
    @JsonCreator
    public Ack {
      receipts = MailFields.requireList("receipts", receipts, MailFields.MAX_ACKS);
      done = MailFields.requireList("done", done, MailFields.MAX_ACKS);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * A recipient's receipt for one message: {@code sig} is its identity's signature of {@link
   * MailFields#receiptPayload}.
   *
   * @param from the message's sender
   * @param msg the message id
   * @param sig base64 Ed25519 signature
   */
  @JsonPropertyOrder({"from", "msg", "sig"})
  record Receipt(
      @JsonProperty(value = "from", required = true) String from,
      @JsonProperty(value = "msg", required = true) String msg,
      @JsonProperty(value = "sig", required = true) String sig) {

    /** Validates the fields. */
    @JsonCreator
    public Receipt {
      MailFields.requirePeerId("from", from);
      MailFields.requireMsg("msg", msg);
      MailFields.requireSig("sig", sig);
    }
  }

  /**
   * A notice the sender has handled.
   *
   * @param to the recipient the message was for
   * @param msg the message id
   */
  @JsonPropertyOrder({"to", "msg"})
  record Done(
      @JsonProperty(value = "to", required = true) String to,
      @JsonProperty(value = "msg", required = true) String msg) {

    /** Validates the fields. */
    @JsonCreator
    public Done {
      MailFields.requirePeerId("to", to);
      MailFields.requireMsg("msg", msg);
    }
  }
}
