"""`import_roster`: import an institution's staff list from a spreadsheet."""
