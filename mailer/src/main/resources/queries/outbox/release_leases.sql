-- A sender that stops gives its unsent rows back at once instead of letting the leases run out.
UPDATE outbox SET lease_owner = NULL, lease_until = NULL
WHERE release_id = :release AND lease_owner = :owner AND status IN ('pending', 'retry')
