-- Idempotency records older than the retention are forgotten by a periodic sweep (no longer by
-- every claim); the sweep reads this index instead of the whole table.
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys(created_at);
