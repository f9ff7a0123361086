"""The quiz engine: the question bank, timed exams, practice and the wrong-answer book, results and certificates, and
live competitions; one subpackage per capability, pure rules (scoring, timing, normalise) at the top."""
