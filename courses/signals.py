"""Signals the study app sends to the apps above it (it imports none of them).

`statute_imported(sender=CoursePage, law_title=...)` is sent after a statute's module was created or updated by
`courses.law_import.import_statute` (not for a dry run): the question bank connects it in `QuizzesConfig.ready()` and
links the questions citing that statute to the lessons where their articles are read, once, instead of looking the
link up on every read.
"""

from django.dispatch import Signal

statute_imported = Signal()
