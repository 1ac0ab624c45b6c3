-- A live sender extends the lease on the rows it still holds (claimed, not yet answered), so a row
-- waiting in its queue longer than the lease is not taken by another sender and sent twice. Rows
-- another sender already took (lease_owner changed) stay theirs.
UPDATE outbox SET lease_until = :until
WHERE id IN (<ids>) AND lease_owner = :owner AND status IN ('pending', 'retry')
