package io.parlance.protocol;

/** What was wrong with a piece of input that a codec rejected. */
public enum ProtocolError {
  /** The bytes are not one well-formed JSON object. */
  MALFORMED_JSON,
  /** Something follows the JSON object (for example two objects in one datagram). */
  TRAILING_DATA,
  /** The JSON nests too deeply, or a string, number or field name is too long. */
  LIMIT_EXCEEDED,
  /** A discovery datagram has no {@code type} field. */
  MISSING_TYPE,
  /** A discovery datagram has a {@code type} this peer does not know. */
  UNKNOWN_TYPE,
  /** A required field is absent or null. */
  MISSING_FIELD,
  /** A field has the wrong JSON type, or a number out of its range. */
  WRONG_FIELD_TYPE,
  /** A TCP port outside 1–65535. */
  INVALID_PORT,
  /** A nickname that breaks Parlance's nickname rules. */
  INVALID_NICKNAME,
  /** A TCP line longer than the limit. */
  LINE_TOO_LONG,
  /** A datagram larger than the limit. */
  DATAGRAM_TOO_LARGE,
  /** A WebSocket message larger than the limit. */
  FRAME_TOO_LARGE,
  /** Bytes that are not valid UTF-8. */
  INVALID_UTF8,
  /** A value that cannot be written to the wire (for example an unpaired surrogate in text). */
  UNENCODABLE
}
