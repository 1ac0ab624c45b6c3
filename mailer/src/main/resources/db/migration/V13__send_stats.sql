-- Version 13: cumulative delivery and signing counters per relay, added to by every sender process,
-- so /metrics (served by another process) can show rates and the mean signing time.
CREATE TABLE send_stats (
    relay            VARCHAR(300) PRIMARY KEY,
    sent             BIGINT DEFAULT 0 NOT NULL,
    failed           BIGINT DEFAULT 0 NOT NULL,
    deferred         BIGINT DEFAULT 0 NOT NULL,
    signed           BIGINT DEFAULT 0 NOT NULL,
    signing_micros   BIGINT DEFAULT 0 NOT NULL
);
