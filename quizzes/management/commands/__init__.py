"""`import_questions`, `export_questions`, `sweep_attempts`."""
