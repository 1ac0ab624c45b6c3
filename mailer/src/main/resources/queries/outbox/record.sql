-- Record the relay's answer for one row and give up its lease; 'sent' is written only after the 250.
UPDATE outbox
SET status = :status, attempts = attempts + 1, last_reply = :reply, updated_at = :now,
    sent_at = CASE WHEN :status = 'sent' THEN :now ELSE sent_at END,
    first_attempt_at = COALESCE(first_attempt_at, :now),
    next_attempt_at = :next,
    lease_owner = NULL, lease_until = NULL
WHERE id = :id AND status <> 'sent'
