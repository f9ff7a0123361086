"""Management commands of the org app."""
