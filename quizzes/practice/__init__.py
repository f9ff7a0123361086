"""Practice: sequential and random practice, the wrong-answer book, mock exams, self-check blocks on study pages and
certificates."""
