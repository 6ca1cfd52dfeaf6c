-- Until when (unix milliseconds) the request that holds an idempotency key is presumed to be
-- running: another process finding the key unfinished waits for it instead of creating the
-- item a second time. 0 = nobody holds it.
ALTER TABLE idempotency_keys ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
