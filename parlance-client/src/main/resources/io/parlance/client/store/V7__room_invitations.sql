-- Invitations to rooms, kept until they are accepted, withdrawn (a later state of the room that
-- no longer lists us) or expire, so a restart of the invited peer loses none. json is the signed
-- state the invitation carried; received_ms is when it arrived (Unix milliseconds), for expiry.
CREATE TABLE room_invitations (
  room         TEXT    PRIMARY KEY,
  name         TEXT    NOT NULL,
  inviter      TEXT    NOT NULL,
  nickname     TEXT    NOT NULL,
  json         TEXT    NOT NULL,
  received_ms  INTEGER NOT NULL
);
