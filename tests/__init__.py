"""The test suite: one folder per app, tests/e2e for the browser, tests/reliability for faults, fuzzing and the access matrix."""
