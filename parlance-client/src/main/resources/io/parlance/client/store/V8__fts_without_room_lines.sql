-- Room lines (the carrier text of a room message or state, one copy per member, which starts with
-- U+0001) are no one-to-one text: the rooms keep and index what they carry in room_messages. They
-- leave the full-text index of messages (filling it skips them from now on), and the delete
-- trigger skips them too, since a 'delete' of a row the index does not hold would corrupt it.
INSERT INTO messages_fts (messages_fts, rowid, content, nickname)
  SELECT 'delete', seq, content, nickname FROM messages
  WHERE seq <= (SELECT seq FROM messages_fts_done) AND substr(content, 1, 1) = char(1);

DROP TRIGGER messages_fts_delete;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.seq <= (SELECT seq FROM messages_fts_done) AND substr(old.content, 1, 1) != char(1)
  BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content, nickname)
    VALUES ('delete', old.seq, old.content, old.nickname);
END;
