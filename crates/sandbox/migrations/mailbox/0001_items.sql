-- Items of the sandbox mailbox, one row per item, partitioned by mailbox (the caller's
-- e-mail from the userinfo endpoint). The full EWS item is kept as JSON in `data` so every
-- field the codec knows round-trips; the columns are what queries filter and sort on.
CREATE TABLE items (
    id TEXT PRIMARY KEY NOT NULL,
    change_key TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    folder TEXT NOT NULL,            -- distinguished folder: 'calendar' | 'tasks'
    item_class TEXT NOT NULL,        -- 'IPM.Appointment' | 'IPM.Task'
    subject TEXT NOT NULL,
    start_utc TEXT,                  -- RFC 3339 UTC, fixed width (calendar items only)
    end_utc TEXT,
    client_request_id TEXT,          -- our extended property, for duplicate detection
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX items_by_folder ON items (mailbox, folder, start_utc);
CREATE INDEX items_by_client_request_id ON items (mailbox, client_request_id);
