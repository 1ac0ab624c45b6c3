-- Rows of a release in one state (retry, then pending) that this sender may take now: not leased
-- by a live sender, and due. SKIP LOCKED: senders claiming at the same moment each get different
-- rows, without waiting. No ORDER BY: with it the database sorted every row still to send before
-- each batch (a send of n cost O(n²)); without it the scan of the (release_id, status, id) index
-- stops at the LIMIT, and that index gives the rows in id order anyway.
SELECT id
FROM outbox
WHERE release_id = :release AND status = :status
  AND (lease_until IS NULL OR lease_until < :now OR lease_owner IN (<dead>))
  AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
