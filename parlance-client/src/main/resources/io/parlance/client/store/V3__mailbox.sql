-- The mailbox: when an outgoing message was deposited, sealed, in the bootstrap server's mailbox
-- (null while it was not; -1 once the server said it expired there, so it is not deposited again). Such a message stays in the
-- outbox, for direct delivery too, until a receipt or an acknowledgement says it was delivered.
ALTER TABLE messages ADD COLUMN deposited_ms INTEGER;
