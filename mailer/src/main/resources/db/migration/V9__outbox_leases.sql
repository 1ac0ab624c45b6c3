-- Version 9: several senders (processes, machines) share one release. A sender claims a batch of
-- rows with a lease; a row whose lease has run out (its sender died) is claimed again by anyone.
-- Retries are scheduled (next_attempt_at, with backoff), and give up after a maximum age counted
-- from the first attempt.
ALTER TABLE outbox ADD COLUMN lease_owner VARCHAR(100);
ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE outbox ADD COLUMN first_attempt_at TIMESTAMP WITH TIME ZONE;
