SELECT status, COUNT(*) AS n FROM outbox WHERE release_id = :release GROUP BY status
