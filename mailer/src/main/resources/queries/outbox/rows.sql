SELECT id, release_id, subscriber_id, email, name, status, attempts, first_attempt_at
FROM outbox WHERE id IN (<ids>) ORDER BY id
