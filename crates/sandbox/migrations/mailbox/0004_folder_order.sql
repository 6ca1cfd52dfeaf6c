-- Indexed pages of a folder (the task list) read in creation order, newest first by default:
-- with this index a page costs a page, however many items the folder holds.
CREATE INDEX items_by_folder_created ON items (mailbox, folder, created_at);
