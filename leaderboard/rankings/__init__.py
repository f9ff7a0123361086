"""Rankings: boards of exams and live games kept in a store (in-process or Redis sorted sets) that can always be
rebuilt from the database, read by selectors, pushed to viewers at most a few times a second (coalesce)."""
