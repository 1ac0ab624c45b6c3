-- The claimed rows still to deliver (those just cancelled are left out).
SELECT id, release_id, subscriber_id, email, name, status, attempts, first_attempt_at
FROM outbox WHERE id IN (<ids>) AND status IN ('pending', 'retry') ORDER BY id
