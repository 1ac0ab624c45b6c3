-- Version 7: addresses erased on request (`subscribers forget`) are kept only as a SHA-256 hash,
-- so an old list imported again cannot bring them back.
CREATE TABLE erased_addresses (
    email_sha256 VARCHAR(64) PRIMARY KEY,
    erased_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
