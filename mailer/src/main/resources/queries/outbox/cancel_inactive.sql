-- Rows not yet delivered whose subscriber has since unsubscribed or been suppressed are never sent.
UPDATE outbox
SET status = 'cancelled', last_reply = 'subscriber no longer active', updated_at = :now
WHERE release_id = :release AND status IN ('pending', 'retry')
  AND subscriber_id IN (SELECT id FROM subscribers WHERE status <> 'active')
