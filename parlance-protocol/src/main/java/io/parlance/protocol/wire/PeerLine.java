package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One line on a peer-to-peer TCP connection. A line without a {@code type} (what the Rust Parlance
 * sends) is a {@link ChatLine}; our peers also send typed lines such as {@link Ack}, but only to
 * peers that advertise the matching capability.
 */
@JsonTypeInfo(
    use = JsonTypeInfo.Id.NAME,
    include = JsonTypeInfo.As.EXISTING_PROPERTY,
    property = "type",
    defaultImpl = ChatLine.class,
    visible = false)
@JsonSubTypes({@JsonSubTypes.Type(value = Ack.class, name = Ack.TYPE)})
public sealed interface PeerLine permits ChatLine, Ack {}
