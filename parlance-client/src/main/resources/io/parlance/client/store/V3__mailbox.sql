-- The mailbox: when an outgoing message was deposited, sealed, in the bootstrap server's mailbox
-- (null while it was not, or after the server said it expired there). Such a message stays in the
-- outbox, for direct delivery too, until a receipt or an acknowledgement says it was delivered.
ALTER TABLE messages ADD COLUMN deposited_ms INTEGER;
