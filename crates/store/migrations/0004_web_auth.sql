-- graftwatch store schema 4: what the web server needs for login —
-- argon2id password hashes, failed-login counting and lockout, the last
-- activity of a session (idle timeout), the last use of an API token.
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;
ALTER TABLE sessions ADD COLUMN last_seen TEXT;
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX api_tokens_user ON api_tokens (user_name);
