"""Management commands of the quiz engine."""
