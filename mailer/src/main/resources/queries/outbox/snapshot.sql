-- Fix the audience of a release: one pending row per active subscriber of its topic.
INSERT INTO outbox (release_id, subscriber_id, email, name, status, attempts, updated_at)
SELECT r.id, s.id, s.email, s.name, 'pending', 0, :now
FROM releases r
JOIN subscriber_topics t ON t.topic = r.topic
JOIN subscribers s ON s.id = t.subscriber_id
WHERE r.id = :release AND s.status = 'active'
ORDER BY s.id
