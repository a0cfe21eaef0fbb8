-- A text sent to several recipients at once (a room line: one copy per member) is stored once, in
-- shared_texts; each copy is still its own row in messages, with its own delivery state, an empty
-- content and the text's id in text_id. messages_full is what the store reads: every row with its
-- whole text. A shared text is no one-to-one text, so the full-text index leaves those rows out
-- (the fill skips them; so must the delete trigger, since a 'delete' of a row the index does not
-- hold would corrupt it). A text goes when the last row that points to it does.
CREATE TABLE shared_texts (
  id           INTEGER PRIMARY KEY,
  content      TEXT    NOT NULL,
  refs         INTEGER NOT NULL
);

ALTER TABLE messages ADD COLUMN text_id INTEGER;

CREATE VIEW messages_full AS
  SELECT m.seq, m.id, m.direction, m.peer, m.nickname,
    CASE WHEN m.text_id IS NULL THEN m.content
      ELSE (SELECT t.content FROM shared_texts t WHERE t.id = m.text_id) END AS content,
    m.timestamp, m.state, m.created_ms, m.updated_ms, m.attempts, m.pending, m.deposited_ms,
    m.verified, m.text_id
  FROM messages m;

DROP TRIGGER messages_fts_delete;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.seq <= (SELECT seq FROM messages_fts_done) AND old.text_id IS NULL
    AND substr(old.content, 1, 1) != char(1)
  BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content, nickname)
    VALUES ('delete', old.seq, old.content, old.nickname);
END;

CREATE TRIGGER shared_texts_release AFTER DELETE ON messages WHEN old.text_id IS NOT NULL BEGIN
  UPDATE shared_texts SET refs = refs - 1 WHERE id = old.text_id;
  DELETE FROM shared_texts WHERE id = old.text_id AND refs <= 0;
END;
