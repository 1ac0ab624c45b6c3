-- Fix the audience of a retraction notice: everyone the withdrawn release reached (the 'sent' rows
-- of its outbox), not its topic's audience of today. Those who unsubscribed since still get it
-- (they read the withdrawn message); suppressed addresses (bounces, complaints) do not.
INSERT INTO outbox (release_id, subscriber_id, email, name, status, attempts, updated_at)
SELECT r.id, o.subscriber_id, o.email, o.name, 'pending', 0, :now
FROM releases r
JOIN outbox o ON o.release_id = r.retracts_id AND o.status = 'sent'
JOIN subscribers s ON s.id = o.subscriber_id
WHERE r.id = :release AND s.status <> 'suppressed'
ORDER BY o.subscriber_id
