-- Rooms: each state version and each message as its signed wire JSON, plus the fields the
-- queries need. A room's log order is (clock, author, seq), which every member agrees on.
CREATE TABLE room_states (
  room         TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  name         TEXT    NOT NULL,
  json         TEXT    NOT NULL,
  PRIMARY KEY (room, version)
);

CREATE TABLE room_messages (
  room         TEXT    NOT NULL,
  id           TEXT    NOT NULL,
  author       TEXT    NOT NULL,
  nickname     TEXT    NOT NULL,  -- the author's nickname in the room state when it was stored
  seq          INTEGER NOT NULL,
  clock        INTEGER NOT NULL,
  text         TEXT    NOT NULL,
  json         TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL,
  PRIMARY KEY (room, id)
);

CREATE INDEX room_messages_order ON room_messages (room, clock, author, seq);

CREATE VIRTUAL TABLE room_messages_fts USING fts5 (
  text, nickname, content = 'room_messages', content_rowid = 'rowid', tokenize = 'unicode61'
);

CREATE TRIGGER room_messages_fts_insert AFTER INSERT ON room_messages BEGIN
  INSERT INTO room_messages_fts (rowid, text, nickname) VALUES (new.rowid, new.text, new.nickname);
END;

CREATE TRIGGER room_messages_fts_delete AFTER DELETE ON room_messages BEGIN
  INSERT INTO room_messages_fts (room_messages_fts, rowid, text, nickname)
    VALUES ('delete', old.rowid, old.text, old.nickname);
END;
