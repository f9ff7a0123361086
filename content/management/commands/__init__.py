"""`seed_demo`: the whole demo site, in the order settings.ELEARN_DEMO_SEEDERS names."""
