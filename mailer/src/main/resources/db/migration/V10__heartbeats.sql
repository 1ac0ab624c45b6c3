-- Version 10: when each periodic job last finished without error, for monitoring (/metrics).
CREATE TABLE heartbeats (
    job     VARCHAR(32) PRIMARY KEY,
    last_ok TIMESTAMP WITH TIME ZONE NOT NULL
);
