-- Whether each received message was verified: proved over TLS by the key of the conversation it
-- is filed under (1), or came from a plain, spoofable sender (0). Older rows did not record it:
-- a plain line (a local id) was surely unverified; the others stay unknown (NULL) and are shown
-- as unverified. Sent messages leave it NULL.
ALTER TABLE messages ADD COLUMN verified INTEGER;

UPDATE messages SET verified = 0 WHERE direction = 'in' AND id LIKE 'local-%';
