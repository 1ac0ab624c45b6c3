-- Rows of a release this sender may take now: still to deliver, not leased by a live sender, and
-- due. SKIP LOCKED: senders claiming at the same moment each get different rows, without waiting.
SELECT id
FROM outbox
WHERE release_id = :release AND status IN ('pending', 'retry')
  AND (lease_until IS NULL OR lease_until < :now OR lease_owner IN (<dead>))
  AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
ORDER BY id
LIMIT :limit
FOR UPDATE SKIP LOCKED
