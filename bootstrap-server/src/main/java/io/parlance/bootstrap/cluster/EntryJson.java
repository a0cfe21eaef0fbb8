package io.parlance.bootstrap.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.HostPort;
import java.util.ArrayList;
import java.util.List;

/**
 * A registration as the servers of a cluster write it into Redis and into their events: one JSON
 * object with the entry's fields. What is read back is checked as strictly as a client's frame
 * (sizes, address), since anyone with access to the Redis could have written it.
 */
final class EntryJson {

  /** Longer than any entry a server writes (a key, a signature, 16 addresses). */
  static final int MAX_CHARS = 16 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EntryJson() {}

  static String write(PeerEntry e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("nickname", e.nickname());
    o.put("address", HostPort.format(e.address()));
    if (e.addresses() != null) {
      ArrayNode a = o.putArray("addresses");
      e.addresses().forEach(a::add);
    }
    o.put("owner", e.owner());
    putIf(o, "id", e.id());
    putIf(o, "key", e.key());
    if (e.caps() != null) {
      ArrayNode a = o.putArray("caps");
      e.caps().forEach(a::add);
    }
    putIf(o, "nonce", e.nonce());
    putIf(o, "sig", e.sig());
    return o.toString();
  }

  private static void putIf(ObjectNode o, String field, String value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  /**
   * Reads an entry.
   *
   * @param json the text
   * @return the entry
   * @throws IllegalArgumentException if it is not one
   */
  static PeerEntry read(String json) {
    if (json == null || json.isEmpty() || json.length() > MAX_CHARS) {
      throw new IllegalArgumentException("not an entry: empty or over " + MAX_CHARS + " chars");
    }
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an entry: " + e.getOriginalMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("not an entry: not a JSON object");
    }
    try {
      return new PeerEntry(
          text(o, "nickname", true),
          HostPort.parse("address", text(o, "address", true)),
          list(o, "addresses"),
          text(o, "owner", true),
          text(o, "id", false),
          text(o, "key", false),
          list(o, "caps"),
          text(o, "nonce", false),
          text(o, "sig", false));
    } catch (ProtocolException | NullPointerException e) {
      throw new IllegalArgumentException("not an entry: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode o, String field, boolean required) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException("not an entry: no " + field);
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("not an entry: " + field + " is not a string");
    }
    return v.textValue();
  }

  private static List<String> list(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray() || v.size() > 64) {
      throw new IllegalArgumentException("not an entry: " + field + " is not a short list");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw new IllegalArgumentException("not an entry: " + field + " holds a non-string");
      }
      out.add(item.textValue());
    }
    return out;
  }
}
