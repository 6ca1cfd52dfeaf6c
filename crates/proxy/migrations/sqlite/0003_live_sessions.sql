-- Live sessions are counted per user (sign-out) and in all (the metrics scrape); revoked rows
-- stay in the table, so both counts read only this partial index.
CREATE INDEX IF NOT EXISTS auth_sessions_live ON auth_sessions(user_id) WHERE revoked_at IS NULL;
