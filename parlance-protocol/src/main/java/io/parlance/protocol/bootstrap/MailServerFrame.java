package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/** The bootstrap server's answers to {@link MailClientFrame}s. */
public sealed interface MailServerFrame extends ServerFrame
    permits MailServerFrame.MailKey,
        MailServerFrame.Deposited,
        MailServerFrame.Mail,
        MailServerFrame.Acked {

  /**
   * Returns the request id.
   *
   * @return the id of the request answered, or null
   */
  String id();

  /**
   * {@code {"type":"mail_key","to":..,"key":..,"mail_key":..,"mail_sig":..}}: a peer's mail key
   * with its identity key, so the asker checks the binding itself ({@link
   * MailFields#mailKeyProblem}) and that {@code key} is the key of {@code to}.
   *
   * @param to the peer's id
   * @param key its Ed25519 public key, base64 of the X.509 encoding
   * @param mailKey its X25519 mail key, base64 of 32 bytes
   * @param mailSig the binding's signature
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"to", "key", "mail_key", "mail_sig", "id"})
  @JsonInclude(Include.NON_NULL)
  record MailKey(
      @JsonProperty(value = "to", required = true) String to,
      @JsonProperty(value = "key", required = true) String key,
      @JsonProperty(value = "mail_key", required = true) String mailKey,
      @JsonProperty(value = "mail_sig", required = true) String mailSig,
      @JsonProperty("id") String id)
      implements MailServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_key";

    /** Validates the fields. */
    @JsonCreator
    public MailKey {
      MailFields.requirePeerId("to", to);
      MailFields.requireKey("key", key);
      MailFields.requireMailKey("mail_key", mailKey);
      MailFields.requireSig("mail_sig", mailSig);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"mail_deposited","msg":..,"expires":1796000000}}: the server keeps the message
   * until the recipient fetches it or until {@code expires} (Unix seconds).
   *
   * @param msg the message id
   * @param expires when it expires, Unix seconds
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"msg", "expires", "id"})
  @JsonInclude(Include.NON_NULL)
  record Deposited(
      @JsonProperty(value = "msg", required = true) String msg,
      @JsonProperty(value = "expires", required = true) long expires,
      @JsonProperty("id") String id)
      implements MailServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_deposited";

    /** Validates the fields. */
    @JsonCreator
    public Deposited {
      MailFields.requireMsg("msg", msg);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * {@code {"type":"mail","items":[..],"notices":[..],"next":42,"more":false}}: waiting mail in
   * deposit order, and notices about mail this peer deposited. {@code more} says another fetch
   * after {@code next} has more items.
   *
   * @param items the sealed messages
   * @param notices receipts and expiries
   * @param next the position to fetch after next time
   * @param more whether more items wait
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"items", "notices", "next", "more", "id"})
  @JsonInclude(Include.NON_NULL)
  record Mail(
      @JsonProperty(value = "items", required = true) List<Item> items,
      @JsonProperty(value = "notices", required = true) List<Notice> notices,
      @JsonProperty(value = "next", required = true) long next,
      @JsonProperty(value = "more", required = true) boolean more,
      @JsonProperty("id") String id)
      implements MailServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail";

    /** Validates the fields. */
    @JsonCreator
    public Mail {
      items = MailFields.requireList("items", items, MailFields.MAX_ITEMS);
      notices = MailFields.requireList("notices", notices, MailFields.MAX_ITEMS);
      BootstrapProtocol.requireValidId(id);
    }
  }

  /**
   * One waiting message.
   *
   * @param seq its position in the mailbox
   * @param from the id that deposited it (the server checked the depositor proved it)
   * @param msg the message id
   * @param sealed base64 of the sealed message
   * @param deposited when it was deposited, Unix seconds
   */
  @JsonPropertyOrder({"seq", "from", "msg", "sealed", "deposited"})
  record Item(
      @JsonProperty(value = "seq", required = true) long seq,
      @JsonProperty(value = "from", required = true) String from,
      @JsonProperty(value = "msg", required = true) String msg,
      @JsonProperty(value = "sealed", required = true) String sealed,
      @JsonProperty(value = "deposited", required = true) long deposited) {

    /** Validates the fields. */
    @JsonCreator
    public Item {
      MailFields.requirePeerId("from", from);
      MailFields.requireMsg("msg", msg);
      MailFields.requireBase64("sealed", sealed, MailFields.MAX_SEALED_CHARS, 0);
    }
  }

  /**
   * A notice for a sender: its message was fetched and stored ({@code delivered}, with the
   * recipient's signed receipt) or expired unfetched ({@code expired}).
   *
   * @param kind {@code delivered} or {@code expired}
   * @param to the recipient
   * @param msg the message id
   * @param sig the recipient's receipt signature, present for {@code delivered}
   */
  @JsonPropertyOrder({"kind", "to", "msg", "sig"})
  @JsonInclude(Include.NON_NULL)
  record Notice(
      @JsonProperty(value = "kind", required = true) String kind,
      @JsonProperty(value = "to", required = true) String to,
      @JsonProperty(value = "msg", required = true) String msg,
      @JsonProperty("sig") String sig) {

    /** A recipient stored the message. */
    public static final String DELIVERED = "delivered";

    /** The message expired before the recipient fetched it. */
    public static final String EXPIRED = "expired";

    /** Validates the fields. */
    @JsonCreator
    public Notice {
      if (!DELIVERED.equals(kind) && !EXPIRED.equals(kind)) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field 'kind' must be delivered or expired");
      }
      MailFields.requirePeerId("to", to);
      MailFields.requireMsg("msg", msg);
      if (DELIVERED.equals(kind)) {
        MailFields.requireSig("sig", sig);
      }
    }
  }

  /**
   * {@code {"type":"mail_acked","deleted":3}}: the acknowledged items and handled notices are gone.
   *
   * @param deleted how many items and notices were deleted
   * @param id the request id, or null
   */
  @JsonPropertyOrder({"deleted", "id"})
  @JsonInclude(Include.NON_NULL)
  record Acked(
      @JsonProperty(value = "deleted", required = true) int deleted, @JsonProperty("id") String id)
      implements MailServerFrame {

    /** The value of the {@code type} field. */
    public static final String TYPE = "mail_acked";

    /** Validates the fields. */
    @JsonCreator
    public Acked {
      BootstrapProtocol.requireValidId(id);
    }
  }
}
