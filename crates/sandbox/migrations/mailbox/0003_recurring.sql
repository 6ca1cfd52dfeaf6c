-- Recurring masters are expanded into occurrences when a calendar view or free/busy is read,
-- so window queries need to find them apart from single items.
ALTER TABLE items ADD COLUMN recurring INTEGER NOT NULL DEFAULT 0;
