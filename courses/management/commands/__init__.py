"""`import_law`: import official statute texts as study modules."""
