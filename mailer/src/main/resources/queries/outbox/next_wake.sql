-- When something of this release could next be claimed: a retry falling due, or a lease of
-- another sender running out. NULL when nothing is left to deliver.
SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > :now AND lease_owner <> :owner THEN lease_until
                WHEN next_attempt_at IS NOT NULL AND next_attempt_at > :now THEN next_attempt_at
                ELSE :now END) AS wake
FROM outbox
WHERE release_id = :release AND status IN ('pending', 'retry')
  AND NOT (lease_owner IS NOT NULL AND lease_owner = :owner AND lease_until > :now)
