"""Demo content for `seed_demo`, written for this campaign (not copied from any published bank)."""
