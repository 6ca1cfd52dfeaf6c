-- A meeting's copies (organizer, attendees, rooms) share the iCalendar UID; updates,
-- responses and cancellations find the other copies through it.
ALTER TABLE items ADD COLUMN uid TEXT;
CREATE INDEX items_by_uid ON items (uid);
