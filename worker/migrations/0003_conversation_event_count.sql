-- Re-stitches of one conversation may finish out of order (callbacks arrive concurrently); the
-- number of events a stored row was folded from lets a slower, older re-stitch lose the race.
ALTER TABLE conversations ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;
