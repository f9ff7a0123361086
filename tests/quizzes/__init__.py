"""Tests of the quiz engine: bank, exams, practice, results, competitions."""
