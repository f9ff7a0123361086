"""Demo study content (our own words, citing article numbers) and the seed_demo step that publishes it."""
