-- Fewer and smaller index entries per row, which is most of what a stored message costs (a room
-- line to 50 members is 49 rows): the table is made again without its table-wide
-- UNIQUE (direction, peer, id), whose entries are long (a peer key is 64 characters) and which no
-- query needs. A received message's duplicate check looks it up by id (messages_in_by_id), an
-- outgoing one is found by id for its acknowledgement (messages_out_by_id: ids are made in time
-- order, so each entry goes at the end). The copies of a shared text (room lines) are left out of
-- messages_by_peer and messages_by_nickname: a conversation's history and the nicknames it knows are
-- one-to-one messages, and the rooms keep their own. Every row keeps its seq, and the sequence
-- goes on from where it was, so no seq is used twice (the full-text index goes by seq).
CREATE TABLE messages_v10_sequence AS
  SELECT seq FROM sqlite_sequence WHERE name = 'messages';

DROP VIEW messages_full;

DROP TRIGGER messages_fts_delete;

DROP TRIGGER shared_texts_release;

CREATE TABLE messages_v10 (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT    NOT NULL,
  direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  peer         TEXT    NOT NULL,
  nickname     TEXT    NOT NULL,
  content      TEXT    NOT NULL,
  timestamp    INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'received')),
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  pending      INTEGER NOT NULL DEFAULT 0,
  deposited_ms INTEGER,
  verified     INTEGER,
  text_id      INTEGER
);

INSERT INTO messages_v10 (seq, id, direction, peer, nickname, content, timestamp, state,
    created_ms, updated_ms, attempts, pending, deposited_ms, verified, text_id)
  SELECT seq, id, direction, peer, nickname, content, timestamp, state, created_ms, updated_ms,
    attempts, pending, deposited_ms, verified, text_id
  FROM messages ORDER BY seq;

DROP TABLE messages;

ALTER TABLE messages_v10 RENAME TO messages;

INSERT INTO sqlite_sequence (name, seq)
  SELECT 'messages', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages');

UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT max(seq) FROM messages_v10_sequence), 0))
  WHERE name = 'messages';

DROP TABLE messages_v10_sequence;

CREATE INDEX messages_by_peer ON messages (peer, seq) WHERE text_id IS NULL;

CREATE INDEX messages_by_nickname ON messages (nickname, seq) WHERE text_id IS NULL;

CREATE INDEX messages_outbox ON messages (peer, seq) WHERE pending = 1;

CREATE INDEX messages_in_by_id ON messages (id) WHERE direction = 'in';

CREATE INDEX messages_out_by_id ON messages (id) WHERE direction = 'out';

CREATE VIEW messages_full AS
  SELECT m.seq, m.id, m.direction, m.peer, m.nickname,
    CASE WHEN m.text_id IS NULL THEN m.content
      ELSE (SELECT t.content FROM shared_texts t WHERE t.id = m.text_id) END AS content,
    m.timestamp, m.state, m.created_ms, m.updated_ms, m.attempts, m.pending, m.deposited_ms,
    m.verified, m.text_id
  FROM messages m;

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
