-- Record the relay's answer for one row; 'sent' is written only after the 250.
UPDATE outbox
SET status = :status, attempts = attempts + 1, last_reply = :reply, updated_at = :now,
    sent_at = CASE WHEN :status = 'sent' THEN :now ELSE sent_at END
WHERE id = :id AND status <> 'sent'
