-- The full-text index is filled in batches by the store (MessageStore.indexPending: one
-- INSERT ... SELECT for all the messages stored since the last batch) instead of by a trigger for
-- each message, which cost more than half of storing a message. messages_fts_done holds the
-- highest seq in the index; a search first indexes whatever is above it, so it finds everything
-- stored. The index of the existing messages is complete (the old trigger filled it), so it stays.
CREATE TABLE messages_fts_done (
  only INTEGER PRIMARY KEY CHECK (only = 1),
  seq  INTEGER NOT NULL
);

INSERT INTO messages_fts_done (only, seq) SELECT 1, coalesce(max(seq), 0) FROM messages;

DROP TRIGGER messages_fts_insert;

DROP TRIGGER messages_fts_delete;

-- A message not in the index yet must not be deleted from it: that would damage the index.
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.seq <= (SELECT seq FROM messages_fts_done) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content, nickname)
    VALUES ('delete', old.seq, old.content, old.nickname);
END;
