-- The outbox becomes a flag of its own: a message to a plain peer is final once sent (it cannot
-- be acknowledged), so "not delivered" no longer means "still to send".
ALTER TABLE messages ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

UPDATE messages SET pending = 1 WHERE direction = 'out' AND state != 'delivered';

DROP INDEX messages_outbox;

CREATE INDEX messages_outbox ON messages (peer, seq) WHERE pending = 1;

-- Duplicates are found by id among received messages; conversations by nickname.
CREATE INDEX messages_in_by_id ON messages (id) WHERE direction = 'in';

CREATE INDEX messages_by_nickname ON messages (nickname, seq);
