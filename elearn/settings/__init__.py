"""Settings: base (shared), dev, test and production; backends.py turns environment variables into backends."""
