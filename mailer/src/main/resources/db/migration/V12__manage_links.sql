-- Version 12: the generic preferences page (/preferences) lets a subscriber ask for their personal
-- link by e-mail. Those requests queue in the same table as double opt-in requests and go out through
-- the same signing sender, so the web side still never signs; `kind` tells them apart.
--   subscribe  a double opt-in request (every row before this version)
--   manage     "e-mail me my preferences link": name and topics are unused (topics is '')
ALTER TABLE confirmations ADD COLUMN kind VARCHAR(16) DEFAULT 'subscribe' NOT NULL;
ALTER TABLE confirmations ADD CONSTRAINT confirmations_kind CHECK (kind IN ('subscribe', 'manage'));
