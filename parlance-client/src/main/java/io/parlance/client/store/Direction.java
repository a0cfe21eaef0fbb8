package io.parlance.client.store;

/** Whether a stored message was sent by us or received from the peer. */
public enum Direction {
  /** Received from the peer. */
  IN("in"),
  /** Sent by us to the peer. */
  OUT("out");

  private final String column;

  Direction(String column) {
    this.column = column;
  }

  String column() {
    return column;
  }

  static Direction fromColumn(String value) {
    return "in".equals(value) ? IN : OUT;
  }
}
