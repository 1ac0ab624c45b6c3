-- The public release log: one entry per release, numbered without gaps, each chaining the hash of
-- the entry before it, so a removed or inserted entry shows. Written by the sending side only.
CREATE TABLE release_log (
    seq           BIGINT        PRIMARY KEY,
    release_id    BIGINT        NOT NULL UNIQUE REFERENCES releases (id),
    -- sha-256 (hex) of the release content: title, summary, body, link, topic
    content_hash  CHAR(64)      NOT NULL,
    title         VARCHAR(300)  NOT NULL,
    -- comma-separated approvers when the workflow records them; empty when unknown
    approvers     VARCHAR(2000) NOT NULL DEFAULT '',
    sent_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    previous_hash CHAR(64)      NOT NULL,
    entry_hash    CHAR(64)      NOT NULL
);

-- The signed Atom feed of that log as published: made (and signed) by the sending side when an
-- entry is added; `serve` only hands out these stored bytes and holds no key.
CREATE TABLE release_feed (
    id         INT       PRIMARY KEY,
    atom       BLOB      NOT NULL,
    signature  BLOB      NOT NULL,
    -- how many log entries this feed lists: an older feed never replaces a newer one
    entries    INT       NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
