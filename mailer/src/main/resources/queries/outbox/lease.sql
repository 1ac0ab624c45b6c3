UPDATE outbox SET lease_owner = :owner, lease_until = :until WHERE id IN (<ids>) AND status IN ('pending', 'retry')
