"""Demo data of the quiz engine (our own questions citing article numbers), one seed_demo step per capability."""
