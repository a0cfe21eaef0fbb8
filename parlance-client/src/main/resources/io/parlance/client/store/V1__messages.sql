-- Messages sent and received, with their delivery state; the outbox is the outgoing messages
-- not yet delivered.
CREATE TABLE messages (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- local order of arrival or submission
  id           TEXT    NOT NULL,                  -- message id, unique per peer and direction
  direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  peer         TEXT    NOT NULL,                  -- the conversation: the peer's key
  nickname     TEXT    NOT NULL,                  -- the peer's nickname when the message passed
  content      TEXT    NOT NULL,
  timestamp    INTEGER NOT NULL,                  -- the sender's clock, Unix seconds
  state        TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'received')),
  created_ms   INTEGER NOT NULL,                  -- our clock, Unix milliseconds
  updated_ms   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (direction, peer, id)
);

CREATE INDEX messages_by_peer ON messages (peer, seq);

CREATE INDEX messages_outbox ON messages (peer, seq) WHERE direction = 'out' AND state != 'delivered';

CREATE VIRTUAL TABLE messages_fts USING fts5 (
  content, nickname, content = 'messages', content_rowid = 'seq', tokenize = 'unicode61'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, content, nickname) VALUES (new.seq, new.content, new.nickname);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content, nickname)
    VALUES ('delete', old.seq, old.content, old.nickname);
END;
