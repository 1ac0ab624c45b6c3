-- Shared-body mode (issue 6): the release's body is signed once for everyone (urgent broadcasts).
ALTER TABLE releases ADD COLUMN shared_body BOOLEAN DEFAULT FALSE NOT NULL;
