-- Of the rows just claimed, those whose subscriber has since unsubscribed or been suppressed are
-- never sent.
UPDATE outbox
SET status = 'cancelled', last_reply = 'subscriber no longer active', updated_at = :now
WHERE id IN (<ids>) AND status IN ('pending', 'retry')
  AND subscriber_id IN (SELECT id FROM subscribers WHERE status <> 'active')
