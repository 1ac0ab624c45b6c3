-- Keyset page of rows still to deliver, oldest first; never loads the whole audience.
SELECT id, release_id, subscriber_id, email, name, status, attempts
FROM outbox
WHERE release_id = :release AND status IN ('pending', 'retry') AND id > :after
ORDER BY id
LIMIT :limit
